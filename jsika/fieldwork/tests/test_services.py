"""Caseload, pendamping and field-record services: the rules that hold whatever page or API calls them."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from jsika.core.scoping import scope_queryset
from jsika.fieldwork import services
from jsika.fieldwork.models import CaseloadAssignment, Visit
from jsika.fieldwork.services import Conflict, FieldworkError
from jsika.registry.models import Household
from jsika.registry.queries import households_for

from .factories import enroll, jpeg, make_household, make_user, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(regions):
    return world()


def active(facilitator) -> set[int]:
    return set(CaseloadAssignment.objects.filter(facilitator=facilitator, ended_at__isnull=True)
               .values_list("household_id", flat=True))


# --- caseloads ---------------------------------------------------------------------------------------

def test_assign_caseload_in_bulk_moves_households_and_keeps_history(w):
    extra = [make_household("36.72.03.1001") for _ in range(3)]
    result = services.assign_caseload(facilitator=w["other"], households=[w["family"], *extra], by=w["manager"],
                                      reason="Pembagian ulang")
    assert (result.assigned, result.moved, result.unchanged) == (4, 1, 0)
    assert active(w["other"]) == {w["other_family"].pk, w["family"].pk, *(h.pk for h in extra)}
    assert active(w["pendamping"]) == {w["small"].pk}
    ended = CaseloadAssignment.objects.get(facilitator=w["pendamping"], household=w["family"])
    assert ended.ended_at is not None and ended.ended_by == w["manager"] and ended.end_reason == "Pembagian ulang"
    assert ended.history.filter(history_type="~", history_user=w["manager"]).exists()
    new = CaseloadAssignment.objects.get(facilitator=w["other"], household=w["family"], ended_at__isnull=True)
    assert new.assigned_by == w["manager"] and new.history.filter(history_type="+").exists()


def test_assigning_again_to_the_same_pendamping_changes_nothing(w):
    result = services.assign_caseload(facilitator=w["pendamping"], households=[w["family"], w["small"]],
                                      by=w["operator"])
    assert (result.assigned, result.moved, result.unchanged) == (0, 0, 2)
    assert CaseloadAssignment.objects.filter(facilitator=w["pendamping"]).count() == 2


def test_a_household_outside_the_supervisors_scope_refuses_the_whole_batch(w):
    lebak = make_household("36.02.01.2001")
    with pytest.raises(FieldworkError, match="di luar cakupan wilayah Anda"):
        services.assign_caseload(facilitator=w["pendamping"], households=[w["unassigned"], lebak], by=w["manager"])
    assert w["unassigned"].pk not in active(w["pendamping"])


def test_only_supervisors_assign_and_only_to_a_pendamping(w):
    with pytest.raises(FieldworkError, match="Hanya pengelola program dan operator"):
        services.assign_caseload(facilitator=w["pendamping"], households=[w["unassigned"]], by=w["pendamping"])
    with pytest.raises(FieldworkError, match="Hanya pengelola program dan operator"):
        services.assign_caseload(facilitator=w["pendamping"], households=[w["unassigned"]], by=w["auditor"])
    with pytest.raises(FieldworkError, match="berperan pendamping"):
        services.assign_caseload(facilitator=w["operator"], households=[w["unassigned"]], by=w["manager"])


def test_reassign_all_moves_the_whole_caseload(w):
    result = services.reassign_all(from_facilitator=w["pendamping"], to_facilitator=w["other"], by=w["manager"],
                                   reason="Mengundurkan diri")
    assert result.assigned == 2
    assert active(w["pendamping"]) == set()
    assert active(w["other"]) == {w["family"].pk, w["small"].pk, w["other_family"].pk}
    reasons = set(CaseloadAssignment.objects.filter(facilitator=w["pendamping"]).values_list("end_reason", flat=True))
    assert reasons == {"Mengundurkan diri"}
    with pytest.raises(FieldworkError, match="tidak memiliki keluarga dampingan"):
        services.reassign_all(from_facilitator=w["pendamping"], to_facilitator=w["other"], by=w["manager"])


def test_end_caseload_needs_a_reason_and_keeps_the_row(w):
    with pytest.raises(FieldworkError, match="Alasan wajib"):
        services.end_caseload(facilitator=w["pendamping"], households=[w["small"]], by=w["manager"], reason=" ")
    assert services.end_caseload(facilitator=w["pendamping"], households=[w["small"]], by=w["manager"],
                                 reason="Pindah domisili") == 1
    assert active(w["pendamping"]) == {w["family"].pk}
    assert CaseloadAssignment.objects.filter(household=w["small"]).count() == 1


def test_a_pendamping_reads_only_the_active_caseload(w):
    services.assign_caseload(facilitator=w["other"], households=[w["small"]], by=w["manager"])
    assert set(households_for(w["pendamping"]).values_list("pk", flat=True)) == {w["family"].pk}
    assert not scope_queryset(Visit.objects.all(), w["pendamping"]).filter(household=w["small"]).exists()


def test_create_facilitator_inside_the_creators_scope(w):
    user = services.create_facilitator(by=w["manager"], username="Pendamping.Baru", password="kata-sandi-panjang-1",
                                       scope="36.72.01", first_name="Budi")
    assert (user.username, user.role, user.scope) == ("pendamping.baru", "facilitator", "36.72.01")
    assert user.check_password("kata-sandi-panjang-1")
    with pytest.raises(FieldworkError, match="di luar cakupan"):
        services.create_facilitator(by=w["manager"], username="p.lebak", password="kata-sandi-panjang-1",
                                    scope="36.02.01")
    with pytest.raises(FieldworkError, match="sudah dipakai"):
        services.create_facilitator(by=w["manager"], username="pendamping.baru", password="kata-sandi-panjang-1",
                                    scope="36.72.01")
    with pytest.raises(FieldworkError):
        services.create_facilitator(by=w["manager"], username="p.pendek", password="123", scope="36.72.01")
    with pytest.raises(FieldworkError, match="Hanya pengelola"):
        services.create_facilitator(by=w["pendamping"], username="p.x", password="kata-sandi-panjang-1",
                                    scope="36.72.03")


# --- visits --------------------------------------------------------------------------------------------

def visit(w, **kw):
    args = {"by": w["pendamping"], "client_id": uuid.uuid4(), "household": w["family"],
            "visited_on": timezone.localdate(), "purpose": "pemantauan"}
    args.update(kw)
    return services.record_visit(**args)


def test_record_visit_keeps_the_structured_condition_and_the_clocks(w):
    recorded = timezone.now() - timedelta(days=9, hours=2)
    saved = visit(w, visited_on=timezone.localdate() - timedelta(days=9), recorded_at=recorded,
                  condition={"school": [{"person": w["pupil"].pk, "attendance_percent": 90}],
                             "pregnant": [{"person": w["mother"].pk, "antenatal_checked": True}],
                             "toddlers": [{"person": w["toddler"].pk, "weighed": True, "weight_kg": 11.2}],
                             "problems": ["sakit", "risiko_stunting"]})
    v = saved.obj
    assert saved.created and v.problems == ["risiko_stunting", "sakit"]
    assert v.condition["school"] == [{"person": w["pupil"].pk, "attendance_percent": 90, "in_school": True}]
    assert v.entry_delay_days == 9 and v.is_late
    assert 9 * 86400 <= v.sync_lag_seconds <= 9 * 86400 + 3 * 3600
    assert v.history.get().history_user == w["pendamping"]


def test_visit_in_the_future_is_refused(w):
    with pytest.raises(FieldworkError, match="masa depan"):
        visit(w, visited_on=timezone.localdate() + timedelta(days=1))


def test_a_phone_in_eastern_indonesia_may_already_be_in_tomorrow(w):
    from datetime import timezone as tz

    wit = tz(timedelta(hours=9))
    now_wit = timezone.now().astimezone(wit)
    wib_today = timezone.localdate()
    saved = visit(w, visited_on=now_wit.date(), recorded_at=now_wit)
    assert saved.created and saved.obj.visited_on >= wib_today
    with pytest.raises(FieldworkError, match="masa depan"):  # a phone clock set ahead is not believed
        visit(w, visited_on=wib_today + timedelta(days=2), recorded_at=timezone.now() + timedelta(days=2))


def test_visit_before_enrollment_start_is_refused_and_on_the_day_accepted(w):
    start = timezone.localdate() - timedelta(days=10)
    enroll(w["family"], by=w["operator"], started_on=start)
    with pytest.raises(FieldworkError, match="sebelum keluarga mulai menjadi KPM"):
        visit(w, visited_on=start - timedelta(days=1))
    assert visit(w, visited_on=start).created


def test_visit_outside_caseload_is_refused_even_for_a_known_household(w):
    with pytest.raises(FieldworkError, match="tidak ada dalam daftar dampingan"):
        visit(w, household=w["other_family"])
    with pytest.raises(FieldworkError, match="di luar cakupan wilayah"):
        visit(w, by=w["operator_lebak"])


def test_condition_naming_someone_outside_the_family_is_refused(w):
    stranger = w["other_family"].members.first()
    with pytest.raises(FieldworkError, match="bukan anggota keluarga ini"):
        visit(w, condition={"school": [{"person": stranger.pk, "attendance_percent": 90}]})
    with pytest.raises(FieldworkError, match="0–100"):
        visit(w, condition={"school": [{"person": w["pupil"].pk, "attendance_percent": 140}]})
    with pytest.raises(FieldworkError, match="masalah yang dikenal"):
        visit(w, condition={"problems": ["bosan"]})


def test_gps_needs_both_coordinates_in_range(w):
    with pytest.raises(FieldworkError, match="bersama"):
        visit(w, latitude=-6.0)
    with pytest.raises(FieldworkError, match="rentang"):
        visit(w, latitude=-96.0, longitude=106.0)


def test_photo_must_be_a_real_image_of_at_most_200_kb(w):
    with pytest.raises(FieldworkError, match="bukan gambar"):
        visit(w, photo=b"%PDF-1.4 not an image")
    with pytest.raises(FieldworkError, match="terlalu besar"):
        visit(w, photo=b"\x89PNG\r\n\x1a\n" + b"\x00" * (200 * 1024))
    saved = visit(w, photo=jpeg())
    assert saved.obj.photo.name.startswith("fieldwork/kunjungan/")


def test_same_client_id_same_content_is_a_duplicate_other_content_a_conflict(w):
    client_id = uuid.uuid4()
    first = visit(w, client_id=client_id, notes="A")
    again = visit(w, client_id=client_id, notes="A")
    assert first.created and not again.created and again.obj.pk == first.obj.pk
    with pytest.raises(Conflict):
        visit(w, client_id=client_id, notes="B")
    assert Visit.objects.count() == 1


def test_supervisors_may_record_visits_in_their_region(w):
    saved = visit(w, by=w["operator"], household=w["unassigned"])
    assert saved.created and saved.obj.facilitator == w["operator"]
    with pytest.raises(FieldworkError, match="tidak dapat mencatat"):
        visit(w, by=w["auditor"])


def test_household_still_exists_after_a_refused_visit(w):
    with pytest.raises(FieldworkError):
        visit(w, purpose="liburan")
    assert Household.objects.filter(pk=w["family"].pk).exists() and not Visit.objects.exists()


def test_a_facilitator_role_without_a_scope_is_still_a_valid_account(regions):
    user = make_user("pendamping.tanpa.wilayah", "facilitator", "")
    assert households_for(user).count() == 0
