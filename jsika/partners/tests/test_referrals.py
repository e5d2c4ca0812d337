"""Referral lifecycle: refer → accept → act → close (or decline), who may do each step, overdue referrals."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from jsika.partners import services
from jsika.partners.models import Intervention, Referral
from jsika.partners.queries import referrals_for, stale_referrals

pytestmark = pytest.mark.django_db


def refer_dropout(world, by="facilitator"):
    return services.refer(by=world[by], person=world["dewi"], agency=world["dindik"], need="putus_sekolah",
                          description="Berhenti sekolah semester lalu")


def test_full_lifecycle_refer_accept_act_close(world):
    referral = refer_dropout(world)
    assert (referral.status, referral.household, referral.referred_by) == ("open", world["pulomerak"],
                                                                           world["facilitator"])
    partner = world["education"]
    services.accept_referral(referral=referral, by=partner, note="Dijadwalkan")
    referral, intervention = services.act_on_referral(referral=referral, by=partner, note="Didaftarkan ke PKBM",
                                                      kind="kembali_sekolah", place="PKBM Pulomerak")
    assert referral.status == "acted" and intervention.referral == referral and intervention.person == world["dewi"]
    services.act_on_referral(referral=referral, by=partner, note="Sudah masuk kelas")  # acting again is fine
    referral = services.close_referral(referral=referral, by=partner, outcome="terlayani", note="Hadir 90%")
    assert (referral.status, referral.outcome, referral.closed_by) == ("closed", "terlayani", partner)
    events = [(e.action, e.from_status, e.to_status, e.by.username) for e in referral.events.all()]
    assert events == [
        ("referred", "", "open", "pendamping.pulomerak"), ("accepted", "open", "accepted", "opd.pendidikan"),
        ("acted", "accepted", "acted", "opd.pendidikan"), ("acted", "acted", "acted", "opd.pendidikan"),
        ("closed", "acted", "closed", "opd.pendidikan"),
    ]
    assert referral.history.count() == 4  # created, accepted, acted, closed (the second act changed nothing)
    assert Intervention.objects.get(referral=referral).kind == "kembali_sekolah"


def test_decline_needs_a_reason_and_ends_the_referral(world):
    referral = refer_dropout(world, by="operator")
    with pytest.raises(services.PartnerError):
        services.decline_referral(referral=referral, by=world["education"], reason="  ")
    referral = services.decline_referral(referral=referral, by=world["education"], reason="Sudah lulus paket B")
    assert referral.status == "declined" and referral.outcome_note == "Sudah lulus paket B"
    with pytest.raises(services.PartnerError):
        services.accept_referral(referral=referral, by=world["education"])


def test_steps_out_of_order_are_refused(world):
    referral = refer_dropout(world)
    with pytest.raises(services.PartnerError) as refused:
        services.close_referral(referral=referral, by=world["education"], outcome="terlayani")
    assert "tidak dapat diselesaikan" in refused.value.message
    with pytest.raises(services.PartnerError):
        services.act_on_referral(referral=referral, by=world["education"], note="x")
    services.accept_referral(referral=referral, by=world["education"])
    with pytest.raises(services.PartnerError):
        services.accept_referral(referral=referral, by=world["education"])
    with pytest.raises(services.PartnerError):
        services.act_on_referral(referral=referral, by=world["education"], note=" ")


def test_only_members_of_the_target_agency_process_a_referral(world):
    referral = refer_dropout(world)
    for outsider in ("health", "manager", "facilitator"):
        with pytest.raises(services.NotAllowed):
            services.accept_referral(referral=referral, by=world[outsider])
    assert Referral.objects.get(pk=referral.pk).status == "open"


@pytest.mark.parametrize(("who", "person", "agency", "need", "error"), [
    ("education", "dewi", "dindik", "putus_sekolah", services.NotAllowed),  # partners do not refer
    ("facilitator", "ujang", "dindik", "putus_sekolah", services.OutOfScope),  # not in the caseload
    ("operator", "ujang", "dindik", "putus_sekolah", services.OutOfScope),  # Lebak is outside Cilegon
    ("facilitator", "siti", "dindik", "kehamilan_belum_diperiksa", services.PartnerError),  # wrong sector
    ("manager", "ujang", "dinkes_cilegon", "sakit", services.PartnerError),  # outside the agency's region
])
def test_refused_referrals(world, who, person, agency, need, error):
    with pytest.raises(error):
        services.refer(by=world[who], person=world[person], agency=world[agency], need=need)
    assert not Referral.objects.exists()


def test_a_referral_still_running_cannot_be_sent_twice(world):
    refer_dropout(world)
    with pytest.raises(services.Conflict):
        refer_dropout(world, by="operator")


def test_partner_sees_referrals_to_its_agency_only(world):
    dropout = refer_dropout(world)
    pregnancy = services.refer(by=world["facilitator"], person=world["siti"], agency=world["dinkes"],
                               need="kehamilan_belum_diperiksa")
    assert list(referrals_for(world["education"])) == [dropout]
    assert list(referrals_for(world["health"])) == [pregnancy]
    assert set(referrals_for(world["manager"])) == {dropout, pregnancy}
    assert set(referrals_for(world["facilitator"])) == {dropout, pregnancy}


def test_open_referrals_older_than_the_limit_are_overdue_for_managers(world):
    old = refer_dropout(world)
    Referral.objects.filter(pk=old.pk).update(referred_at=timezone.now() - timedelta(days=20))
    fresh = services.refer(by=world["facilitator"], person=world["siti"], agency=world["dinkes"],
                           need="kehamilan_belum_diperiksa")
    closed = services.refer(by=world["facilitator"], person=world["nur"], agency=world["dinkes"],
                            need="risiko_stunting")
    services.accept_referral(referral=closed, by=world["health"])
    services.close_referral(referral=closed, by=world["health"], outcome="terlayani")
    Referral.objects.filter(pk=closed.pk).update(referred_at=timezone.now() - timedelta(days=60))
    assert list(stale_referrals(world["manager"])) == [old]
    assert list(stale_referrals(world["manager_cilegon"])) == [old]
    assert fresh not in stale_referrals(world["manager"])
    with override_settings(JSIKA_REFERRAL_STALE_DAYS=30):
        assert not stale_referrals(world["manager"]).exists()


def test_referral_pages_walk_the_lifecycle(client, world):
    client.force_login(world["facilitator"])
    response = client.post(f"/mitra/rujukan/baru/{world['dewi'].pk}/",
                           {"need": "putus_sekolah", "agency": world["dindik"].pk, "description": "Putus sekolah"})
    referral = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/mitra/rujukan/{referral.pk}/"
    assert "Anak putus sekolah" in client.get("/mitra/rujukan/").content.decode()

    client.force_login(world["education"])
    page = client.get(f"/mitra/rujukan/{referral.pk}/").content.decode()
    assert 'value="accept"' in page and 'value="decline"' in page
    client.post(f"/mitra/rujukan/{referral.pk}/", {"action": "accept", "accept-note": "ok"})
    client.post(f"/mitra/rujukan/{referral.pk}/", {"action": "act", "act-note": "Didaftarkan",
                                                   "act-kind": "kembali_sekolah", "act-place": "PKBM"})
    client.post(f"/mitra/rujukan/{referral.pk}/", {"action": "close", "close-outcome": "terlayani",
                                                   "close-note": ""})
    referral.refresh_from_db()
    assert referral.status == "closed" and referral.interventions.count() == 1

    client.force_login(world["health"])
    assert client.get(f"/mitra/rujukan/{referral.pk}/").status_code == 404
    client.force_login(world["manager"])
    assert client.post(f"/mitra/rujukan/{referral.pk}/", {"action": "accept"}).status_code == 403


def test_referral_form_offers_only_agencies_covering_the_family(client, world):
    client.force_login(world["operator"])
    page = client.get(f"/mitra/rujukan/baru/{world['rizky'].pk}/").content.decode()
    assert "Dinas Kesehatan Kota Cilegon" in page and "Dinas Pendidikan dan Kebudayaan Provinsi Banten" in page
    response = client.post(f"/mitra/rujukan/baru/{world['rizky'].pk}/",
                           {"need": "putus_sekolah", "agency": world["dinkes_cilegon"].pk})
    assert response.status_code == 200 and "sektor lain" in response.content.decode()
    client.force_login(world["education"])
    assert client.get(f"/mitra/rujukan/baru/{world['rizky'].pk}/").status_code == 403


def test_overdue_list_page_for_managers(client, world):
    old = refer_dropout(world)
    Referral.objects.filter(pk=old.pk).update(referred_at=timezone.now() - timedelta(days=30))
    client.force_login(world["manager"])
    page = client.get("/mitra/rujukan/").content.decode()
    assert 'id="stale-alert"' in page
    overdue = client.get("/mitra/rujukan/", {"terlambat": "1"}).content.decode()
    assert "Dewi Lestari" in overdue
