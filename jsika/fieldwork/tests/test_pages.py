"""Field and supervision pages: who sees what (a pendamping only their caseload), and the forms that write."""

import json
import re
import uuid

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import timezone

from jsika.fieldwork import compliance, periods, services
from jsika.fieldwork.models import CaseloadAssignment, CheckStatus, ComplianceAction, ComplianceCheck

from .factories import enroll, jpeg, make_household, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(regions):
    return world()


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def own_visit(w, user=None, household=None, photo=True):
    return services.record_visit(by=user or w["pendamping"], client_id=uuid.uuid4(),
                                 household=household or w["family"], visited_on=timezone.localdate(),
                                 purpose="pemantauan", notes="catatan rahasia", photo=jpeg() if photo else None).obj


FIELD_PAGES = ["/lapangan/", "/lapangan/kunjungan/baru/", "/lapangan/p2k2/baru/", "/lapangan/antrean/",
               "/lapangan/kunjungan/", "/lapangan/p2k2/"]
SUPERVISION_PAGES = ["/lapangan/dampingan/", "/lapangan/kinerja/", "/lapangan/kepatuhan/"]


def test_the_pendamping_opens_every_field_page_without_inline_scripts(w):
    client = as_user(w["pendamping"])
    for url in FIELD_PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert 'rel="manifest"' in html and "fieldwork/field.js" in html
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), f"inline script on {url}"
        assert "script-src 'self'" in response["Content-Security-Policy"]


def test_hari_ini_shows_the_caseload_due_visits_pregnancy_and_sessions(w):
    own_visit(w, household=w["small"], photo=False)
    html = as_user(w["pendamping"]).get("/lapangan/").content.decode()
    assert 'id="stat-households">2<' in html and 'id="stat-visited">1<' in html
    assert "Ahmad Sujatmiko" in html  # due: not visited this month
    assert "Siti Chadidjah" in html  # pregnant member
    assert "Bayu Saputra" not in html  # another pendamping's family


def test_a_pendamping_cannot_open_a_household_visit_session_or_photo_outside_the_caseload(w):
    theirs = own_visit(w, user=w["other"], household=w["other_family"])
    session = services.record_session(by=w["other"], client_id=uuid.uuid4(), region="36.72.03.1001",
                                      module="ekonomi", session_number=1, held_on=timezone.localdate(),
                                      photo=jpeg()).obj
    client = as_user(w["pendamping"])
    for url in (f"/lapangan/keluarga/{w['other_family'].pk}/", f"/lapangan/kunjungan/{theirs.pk}/",
                f"/lapangan/kunjungan/{theirs.pk}/foto/", f"/lapangan/p2k2/{session.pk}/",
                f"/lapangan/p2k2/{session.pk}/foto/", f"/lapangan/keluarga/{w['unassigned'].pk}/"):
        assert client.get(url).status_code == 404, url
    assert "catatan rahasia" not in client.get("/lapangan/kunjungan/").content.decode()


def test_own_visit_detail_and_photo_are_served_privately(w):
    visit = own_visit(w)
    client = as_user(w["pendamping"])
    assert "catatan rahasia" in client.get(f"/lapangan/kunjungan/{visit.pk}/").content.decode()
    photo = client.get(f"/lapangan/kunjungan/{visit.pk}/foto/")
    assert photo.status_code == 200 and b"".join(photo.streaming_content) == jpeg()
    assert "private" in photo["Cache-Control"]
    assert Client().get(f"/lapangan/kunjungan/{visit.pk}/foto/").status_code == 302  # to the login page
    assert as_user(w["manager"]).get(f"/lapangan/kunjungan/{visit.pk}/foto/").status_code == 200
    assert as_user(w["operator_lebak"]).get(f"/lapangan/kunjungan/{visit.pk}/foto/").status_code == 404


def test_household_field_page_shows_members_visits_and_checks(w):
    own_visit(w)
    html = as_user(w["pendamping"]).get(f"/lapangan/keluarga/{w['family'].pk}/").content.decode()
    assert "Rizky Pratama" in html and "Riwayat kunjungan" in html and "catatan rahasia" in html


def test_roles_without_field_work_are_refused(w):
    for role in ("bank", "partner"):
        client = as_user(w[role])
        for url in FIELD_PAGES + SUPERVISION_PAGES:
            assert client.get(url).status_code == 403, (role, url)
    assert Client().get("/lapangan/").status_code == 302


def test_a_pendamping_cannot_open_supervision_pages_or_post_assignments(w):
    client = as_user(w["pendamping"])
    for url in SUPERVISION_PAGES + [f"/lapangan/dampingan/{w['pendamping'].pk}/", "/lapangan/pendamping/baru/"]:
        assert client.get(url).status_code == 403, url
    response = client.post("/lapangan/dampingan/tetapkan-desa/", {
        "facilitator": w["pendamping"].pk, "village": "36.72.03.1002"})
    assert response.status_code == 403
    assert w["unassigned"].pk not in CaseloadAssignment.objects.filter(
        facilitator=w["pendamping"]).values_list("household_id", flat=True)


def test_supervisors_are_sent_from_hari_ini_to_the_diligence_report(w):
    response = as_user(w["manager"]).get("/lapangan/")
    assert response.status_code == 302 and response["Location"] == "/lapangan/kinerja/"


def test_the_auditor_reads_supervision_pages_but_cannot_assign(w):
    client = as_user(w["auditor"])
    for url in SUPERVISION_PAGES:
        assert client.get(url).status_code == 200, url
    html = client.get("/lapangan/dampingan/").content.decode()
    assert 'id="assign-form"' not in html and 'id="reassign-form"' not in html
    assert client.post("/lapangan/dampingan/tetapkan-desa/", {}).status_code == 403
    assert client.post("/lapangan/kepatuhan/hitung/", {}).status_code == 403


def test_balance_view_shows_households_per_pendamping_and_villages_left(w):
    html = as_user(w["manager"]).get("/lapangan/dampingan/?semua=1").content.decode()
    assert 'data-facilitator="pendamping.merak" data-households="2"' in html
    assert 'data-facilitator="pendamping.suralaya" data-households="1"' in html
    assert "36.72.03.1002" in html  # the unassigned household's desa


def test_manager_assigns_a_whole_desa_to_a_pendamping(w):
    extra = make_household("36.72.03.1002")
    enroll(extra, by=w["operator"])
    enroll(w["unassigned"], by=w["operator"])
    response = as_user(w["manager"]).post("/lapangan/dampingan/tetapkan-desa/", {
        "facilitator": w["other"].pk, "village": "36.72.03.1002", "only_kpm": "on"}, follow=True)
    assert "2 keluarga di 36.72.03.1002 masuk dampingan pendamping.suralaya" in response.content.decode()
    mine = set(CaseloadAssignment.objects.filter(facilitator=w["other"], ended_at__isnull=True)
               .values_list("household_id", flat=True))
    assert {extra.pk, w["unassigned"].pk} <= mine
    assert w["small"].pk not in mine  # followed by another pendamping and not asked to move


def test_assigning_a_desa_outside_scope_is_refused(w):
    response = as_user(w["operator_lebak"]).post("/lapangan/dampingan/tetapkan-desa/", {
        "facilitator": w["other"].pk, "village": "36.72.03.1002"}, follow=True)
    assert response.status_code == 200
    assert not CaseloadAssignment.objects.filter(household=w["unassigned"]).exists()


def test_manager_reassigns_a_caseload_and_ends_one_household(w):
    client = as_user(w["manager"])
    client.post("/lapangan/dampingan/alihkan/", {"from_facilitator": w["pendamping"].pk,
                                                "to_facilitator": w["other"].pk, "reason": "Cuti panjang"})
    assert CaseloadAssignment.objects.filter(facilitator=w["other"], ended_at__isnull=True).count() == 3
    client.post(f"/lapangan/dampingan/{w['other'].pk}/", {"households": [w["small"].pk], "reason": "Pindah"})
    ended = CaseloadAssignment.objects.get(facilitator=w["other"], household=w["small"])
    assert ended.ended_at is not None and ended.end_reason == "Pindah"


def test_manager_creates_a_pendamping_account(w):
    response = as_user(w["manager"]).post("/lapangan/pendamping/baru/", {
        "username": "pendamping.grogol", "first_name": "Sari", "last_name": "", "scope": "36.72.06",
        "password": "rahasia-lapangan-26"})
    assert response.status_code == 302
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="pendamping.grogol")
    assert (user.role, user.scope) == ("facilitator", "36.72.06")


def test_compliance_page_computes_applies_and_the_pendamping_confirms(w):
    enrollment = enroll(w["small"], by=w["operator"])
    period = periods.shift(periods.of(timezone.localdate()), -1)
    start, _ = periods.parse(period)
    session = services.record_session(by=w["pendamping"], client_id=uuid.uuid4(), region="36.72.03.1002",
                                      module="ekonomi", session_number=1, held_on=start).obj
    services.record_attendance(by=w["pendamping"], client_id=uuid.uuid4(), session_client_id=session.client_id,
                               household=w["small"], present=False, absence_reason="bekerja")
    manager = as_user(w["manager"])
    manager.post("/lapangan/kepatuhan/hitung/", {"bulan": period, "action": "hitung"})
    check = ComplianceCheck.objects.get(enrollment=enrollment, period=period)
    assert check.status == CheckStatus.NOT_MET
    page = manager.get(f"/lapangan/kepatuhan/?bulan={period}&program=JSCM").content.decode()
    assert 'id="noncompliant-table"' in page and "Kehadiran P2K2" in page
    pendamping = as_user(w["pendamping"])
    pendamping.post(f"/lapangan/kepatuhan/{check.pk}/konfirmasi/", {"status": "met", "note": "izin kerja"})
    check.refresh_from_db()
    assert check.status == CheckStatus.MET and check.confirmed_by == w["pendamping"]
    compliance.confirm_compliance(check=check, status=CheckStatus.NOT_MET, by=w["operator"])
    manager.post("/lapangan/kepatuhan/hitung/", {"bulan": period, "action": "terapkan", "program": "JSCM"})
    assert ComplianceAction.objects.get(enrollment=enrollment).kind == "warning"
    assert as_user(w["other"]).post(f"/lapangan/kepatuhan/{check.pk}/konfirmasi/", {"status": "met"}).status_code \
        == 404


def test_service_worker_and_manifest_make_the_app_installable(w):
    client = Client()
    sw = client.get("/lapangan/sw.js")
    assert sw.status_code == 200 and sw["Content-Type"].startswith("text/javascript")
    assert sw["Service-Worker-Allowed"] == "/lapangan/"
    body = sw.content.decode()
    assert '"/lapangan/kunjungan/baru/"' in body and '"/api/v1/fieldwork/caseload"' in body
    assert "/static/fieldwork/field.js" in body
    manifest = client.get("/lapangan/manifest.webmanifest")
    data = json.loads(manifest.content)
    assert manifest["Content-Type"] == "application/manifest+json"
    assert data["start_url"] == "/lapangan/" and data["scope"] == "/lapangan/" and data["display"] == "standalone"
    assert {i["sizes"] for i in data["icons"]} == {"192x192", "512x512"}
    for icon in data["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon


def test_navbar_links_each_role_to_its_part_of_field_work(w):
    assert 'href="/lapangan/"' in as_user(w["pendamping"]).get("/beranda/").content.decode()
    assert 'href="/lapangan/kinerja/"' in as_user(w["manager"]).get("/beranda/").content.decode()
    assert "/lapangan/" not in as_user(w["bank"]).get("/beranda/").content.decode()
