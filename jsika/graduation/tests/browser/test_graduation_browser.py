"""A pendamping fills an assessment on a phone-sized screen and proposes the family; a manager graduates it."""

import os
import shutil
from datetime import timedelta

import pytest
from django.utils import timezone

from jsika.conftest import needs_chromium
from jsika.graduation.models import Assessment, Graduation
from jsika.programs.models import EnrollmentStatus, ExitReason
from jsika.registry.tests.factories import PASSWORD

from ..factories import assess, assign_caseload, kpm, world

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]


def _shot(page, tmp_path, name):
    """Screenshot each step; JSIKA_SHOTS=dir keeps a copy to look at."""
    png = tmp_path / f"{name}.png"
    page.screenshot(path=str(png), full_page=True)
    target = os.environ.get("JSIKA_SHOTS")
    if target:
        shutil.copy(png, target)


def test_pendamping_assesses_and_proposes_then_a_manager_graduates_the_family(login, live_server, page, regions,
                                                                               tmp_path):
    p, program = world()
    today = timezone.localdate()
    enrollment = kpm(program, p, started_on=today - timedelta(days=800))
    household = enrollment.household
    assign_caseload(p["facilitator"], household)
    assess(household, p["facilitator"], level="best", on=today - timedelta(days=180))

    page.set_viewport_size({"width": 390, "height": 844})
    login(p["facilitator"].username, password=PASSWORD)
    page.goto(f"{live_server.url}/graduasi/asesmen/")
    page.click(f"[data-testid=assess-{household.pk}]")
    questions = page.locator("fieldset[data-indicator]")
    assert questions.count() == 8
    for i in range(questions.count()):
        questions.nth(i).locator(".assess-options label").last.click()  # the best answer of each indicator
    page.fill("textarea[name=notes]", "Usaha warung berjalan, anak sekolah semua")
    _shot(page, tmp_path, "graduation-1-assessment-form")
    page.click("#assessment-form button[type=submit]")
    page.wait_for_selector("#band")
    assert page.locator("#band").inner_text() == "Siap graduasi"
    assert page.locator("#score").inner_text() == "100,0"
    assert Assessment.objects.filter(household=household, assessor=p["facilitator"]).count() == 2

    page.goto(f"{live_server.url}/graduasi/kandidat/?program=JSCM&jalur=mandiri")
    row = page.locator(f"tr[data-enrollment='{enrollment.pk}']")
    assert "mandiri" in row.inner_text()
    row.locator(f"[data-testid=propose-{enrollment.pk}]").click()
    assert page.locator("input[name=kind][value=mandiri]").is_checked()  # the kind the evidence supports
    page.fill("textarea[name=reason]", "Dua asesmen terakhir siap graduasi; keluarga bersedia mandiri")
    page.click("#propose-form button[type=submit]")
    page.wait_for_selector("#graduation-status")
    assert page.locator("#graduation-status").inner_text() == "Diusulkan"
    assert "Hanya pengelola program" in page.locator("#decide-refusal").inner_text()
    decision_url = page.url

    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    login(p["manager"].username, password=PASSWORD)
    page.goto(decision_url)
    page.fill("#note-approve", "SK Kepala Dinas Sosial No. 12/2026")
    page.click("[data-testid=approve]")
    page.wait_for_selector("#certificate-link")
    assert page.locator("#graduation-status").inner_text() == "Disetujui"
    _shot(page, tmp_path, "graduation-2-approved")

    g = Graduation.objects.get(enrollment=enrollment)
    assert (g.status, g.kind, g.proposed_by, g.decided_by) == ("approved", "mandiri", p["facilitator"], p["manager"])
    assert page.locator("#certificate-number").inner_text() == g.certificate_number
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.exit_reason) == (EnrollmentStatus.EXITED, ExitReason.GRADUATED)
    pdf = page.request.get(f"{live_server.url}/graduasi/keputusan/{g.pk}/surat.pdf")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")

    page.goto(f"{live_server.url}/graduasi/keluarga/{household.pk}/")
    page.wait_for_selector("#score-chart")
    assert "pernah graduasi" in page.locator("#household-graduation").inner_text()
    # The score line is drawn by a static script from the page's json_script (CSP: no inline script).
    assert page.evaluate("() => typeof Chart !== 'undefined' && !!Chart.getChart('score-chart')")
    _shot(page, tmp_path, "graduation-3-household")
