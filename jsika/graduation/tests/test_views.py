"""The graduation pages: each renders for the roles that read it, refuses the others, and calls the services."""

import re
import subprocess
from datetime import date, timedelta

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from jsika.graduation import grants, services
from jsika.graduation.models import Assessment, Graduation, GraduationKind
from jsika.programs.models import EnrollmentStatus

from .factories import answers, assess, assign_caseload, kpm, pay_grants, world

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _as(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def scene():
    """A graduated KPM with a disbursed, followed-up grant; a candidate with a proposal waiting; a target."""
    p, program = world()
    old = kpm(program, p, started_on=date(2019, 2, 1))
    assign_caseload(p["facilitator"], old.household)
    assess(old.household, p["facilitator"], level="mid", on=TODAY - timedelta(days=400))
    assess(old.household, p["facilitator"], level="best", on=TODAY - timedelta(days=200))
    g = services.propose_graduation(by=p["facilitator"], enrollment=old, kind=GraduationKind.NATURAL,
                                    on=TODAY - timedelta(days=150))
    g = services.approve_graduation(graduation=g, by=p["manager"], on=TODAY - timedelta(days=150))
    grants.set_grant_budget(by=p["manager"], program=program, year=TODAY.year, amount_rupiah=20_000_000)
    grant = grants.apply_for_grant(by=p["facilitator"], graduation=g, business_type="kuliner",
                                   business_plan="Gorengan dan es teh", location="Depan SD", amount_requested_rupiah=
                                   3_000_000, income_before_rupiah=1_500_000)
    grants.approve_grant(grant=grant, by=p["manager"])
    pay_grants(program, p, [grant], on=TODAY - timedelta(days=120))
    grant.refresh_from_db()
    grants.record_follow_up(by=p["facilitator"], grant=grant, months=3, visited_on=TODAY - timedelta(days=25),
                            business_running=True, income_rupiah=2_100_000)
    waiting = kpm(program, p, started_on=date(2020, 5, 1))
    assign_caseload(p["facilitator"], waiting.household)
    pending = services.propose_graduation(by=p["operator"], enrollment=waiting, kind=GraduationKind.NATURAL)
    services.set_graduation_target(by=p["manager"], program=program, year=g.graduated_on.year, region="36.72",
                                   target=50)
    return {"p": p, "program": program, "graduation": g, "grant": grant, "pending": pending, "waiting": waiting}


def test_every_page_renders_for_a_manager(client, scene):
    _as(client, scene["p"]["manager"])
    g, grant, household = scene["graduation"], scene["grant"], scene["graduation"].household
    pages = [
        reverse("graduation:index"), reverse("graduation:assessment_list"),
        reverse("graduation:household", args=[household.pk]),
        reverse("graduation:assessment_detail", args=[Assessment.objects.first().pk]),
        reverse("graduation:instrument_list"), reverse("graduation:instrument_detail", args=[1]),
        reverse("graduation:candidates") + "?program=JSCM", reverse("graduation:propose", args=[scene["waiting"].pk]),
        reverse("graduation:decision_list") + "?status=all", reverse("graduation:decision_detail", args=[g.pk]),
        reverse("graduation:decision_detail", args=[scene["pending"].pk]), reverse("graduation:targets"),
        reverse("graduation:grant_list"), reverse("graduation:grant_detail", args=[grant.pk]),
        reverse("graduation:budgets"), reverse("graduation:survival") + "?program=JSCM",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"<script>" not in response.content, url  # CSP: no inline scripts


def test_index_shows_target_progress(client, scene):
    year = scene["graduation"].graduated_on.year
    body = _as(client, scene["p"]["manager"]).get(reverse("graduation:index"), {"tahun": year}).content.decode()
    assert f'data-target="JSCM-{year}-36.72"' in body
    assert re.search(r"data-achieved>1<", body) and re.search(r"data-goal>50<", body)


@pytest.mark.parametrize("role", ["bank"])
def test_banks_are_refused(client, scene, role):
    assert _as(client, scene["p"][role]).get(reverse("graduation:index")).status_code == 403


def test_pendamping_fills_an_assessment_for_a_caseload_household(client, scene):
    p = scene["p"]
    household = scene["waiting"].household
    url = reverse("graduation:assessment_form", args=[household.pk])
    page = _as(client, p["facilitator"]).get(url)
    assert page.status_code == 200 and b'type="radio"' in page.content
    form = {f"q_{code}": option for code, option in answers(level="best").items()}
    form.update(assessed_on=TODAY.isoformat(), client_id="5d0c8a3e-0f4e-4a8e-9b53-1b1b0b1c2d3e", instrument=1)
    response = client.post(url, form)
    a = Assessment.objects.get(client_id="5d0c8a3e-0f4e-4a8e-9b53-1b1b0b1c2d3e")
    assert response.status_code == 302 and response.url == reverse("graduation:assessment_detail", args=[a.pk])
    assert (a.score, a.band, a.assessor) == (100, "ready", p["facilitator"])
    again = client.post(url, form)  # a double submit stores nothing new
    assert again.status_code == 302 and Assessment.objects.filter(household=household).count() == 1


def test_an_unanswered_question_is_shown_again(client, scene):
    household = scene["waiting"].household
    form = {f"q_{code}": option for code, option in answers().items() if code != "utang"}
    form.update(assessed_on=TODAY.isoformat(), client_id="1d0c8a3e-0f4e-4a8e-9b53-1b1b0b1c2d3e", instrument=1)
    response = _as(client, scene["p"]["facilitator"]).post(
        reverse("graduation:assessment_form", args=[household.pk]), form)
    assert response.status_code == 200 and "Pilih salah satu jawaban" in response.content.decode()
    assert not Assessment.objects.filter(household=household).exists()


def test_pendamping_cannot_open_the_form_for_a_household_outside_the_caseload(client, scene):
    p = scene["p"]
    other = kpm(scene["program"], p, started_on=date(2022, 1, 5))
    response = _as(client, p["facilitator"]).get(reverse("graduation:assessment_form", args=[other.household.pk]))
    assert response.status_code == 404
    # an auditor reads the household but may not assess it
    response = _as(client, p["auditor"]).get(reverse("graduation:assessment_form", args=[other.household.pk]))
    assert response.status_code == 403


def test_the_proposer_cannot_approve_through_the_page_and_another_manager_can(client, scene):
    p, pending = scene["p"], scene["pending"]
    url = reverse("graduation:decide", args=[pending.pk, "setujui"])
    detail = _as(client, p["operator"]).get(reverse("graduation:decision_detail", args=[pending.pk])).content.decode()
    assert 'id="decide-refusal"' in detail and 'id="approve-form"' not in detail
    client.post(url, {"note": ""})
    assert Graduation.objects.get(pk=pending.pk).status == "proposed"
    response = _as(client, p["manager"]).post(url, {"note": "SK 7/2026"}, follow=True)
    pending.refresh_from_db()
    assert pending.status == "approved" and pending.enrollment.status == EnrollmentStatus.EXITED
    assert "Graduasi disetujui" in response.content.decode()


def test_the_certificate_is_a_pdf_naming_the_family(client, scene, tmp_path):
    g = scene["graduation"]
    response = _as(client, scene["p"]["manager"]).get(reverse("graduation:certificate", args=[g.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    pdf = tmp_path / "surat.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "SURAT KETERANGAN GRADUASI" in text and g.certificate_number in text and "Kepala Keluarga" in text
    not_yet = client.get(reverse("graduation:certificate", args=[scene["pending"].pk]))
    assert not_yet.status_code == 404


def test_grant_pages_approve_and_follow_up(client, scene):
    p = scene["p"]
    response = _as(client, p["manager"]).get(reverse("graduation:grant_detail", args=[scene["grant"].pk]))
    body = response.content.decode()
    assert 'data-milestone="3"' in body and "Usaha berjalan" in body
    survival = client.get(reverse("graduation:survival")).content.decode()
    assert re.search(r'data-survival="3".*?data-rate>100,0%', survival, re.S)


def test_household_include_marks_a_graduated_family_for_a_partner(scene):
    household = scene["graduation"].household
    request = RequestFactory().get("/")
    request.user = scene["p"]["partner"]
    html = Template("{% load graduation_ui %}{% household_graduation household %}").render(
        Context({"request": request, "household": household}))
    assert "pernah graduasi" in html and scene["graduation"].graduated_on.strftime("%d-%m-%Y") in html
    assert "/graduasi/keputusan/" not in html  # partners see the fact, not the decision pages
    request.user = scene["p"]["operator_lebak"]
    assert "pernah graduasi" not in Template("{% load graduation_ui %}{% household_graduation household %}").render(
        Context({"request": request, "household": household}))


def test_admin_shows_a_published_version_read_only_and_lets_a_draft_be_edited(client, scene):
    admin_user = scene["p"]["admin"]
    draft = services.create_instrument_version(by=admin_user, valid_from=date(2027, 1, 1))
    _as(client, admin_user)
    published = client.get(reverse("admin:graduation_instrument_change", args=[1])).content.decode()
    editable = client.get(reverse("admin:graduation_instrument_change", args=[draft.pk])).content.decode()
    assert 'name="valid_from"' not in published and 'name="valid_from"' in editable
    assert client.get(reverse("admin:graduation_assessment_changelist")).status_code == 200
    assert client.get(reverse("admin:graduation_grant_changelist")).status_code == 200


def test_proposing_through_the_page_shows_the_rule_and_a_waiting_proposal(client, scene):
    p = scene["p"]
    fresh = kpm(scene["program"], p, started_on=TODAY - timedelta(days=300))
    url = reverse("graduation:propose", args=[fresh.pk])
    response = _as(client, p["operator"]).post(url, {"kind": "mandiri", "reason": ""})
    assert response.status_code == 200
    assert "Tidak ada graduasi tanpa asesmen" in response.content.decode()
    assert not Graduation.objects.filter(enrollment=fresh).exists()
    waiting = client.get(reverse("graduation:propose", args=[scene["waiting"].pk])).content.decode()
    assert "menunggu keputusan" in waiting and 'id="propose-form"' not in waiting
