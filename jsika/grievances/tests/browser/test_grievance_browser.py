"""On a phone-sized screen, a resident files a grievance, keeps the ticket, and checks its status by code."""

import os
import re
import shutil

import pytest

from jsika.conftest import needs_chromium
from jsika.grievances import services
from jsika.grievances.models import Grievance
from jsika.registry.tests.factories import make_user

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def _shot(page, tmp_path, name):
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    target = os.environ.get("JSIKA_SHOTS")  # look at them: JSIKA_SHOTS=dir keeps a copy
    if target:
        shutil.copy(path, target)


def test_resident_files_a_grievance_on_a_phone_and_checks_it_by_ticket(live_server, page, regions, tmp_path):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/pengaduan/")
    page.click("label[for=id_category_1]")  # "Bantuan dipotong/disunat oknum"
    page.select_option("#id_kabkota", "36.72")
    page.wait_for_selector("#id_kecamatan option[value='36.72.03']", state="attached")
    page.select_option("#id_kecamatan", "36.72.03")
    page.wait_for_selector("#id_region option[value='36.72.03.1001']", state="attached")
    page.select_option("#id_region", "36.72.03.1001")
    page.fill("#id_description", "Bantuan JSCM Rp500.000 hanya kami terima Rp300.000; dipotong orang yang "
                                 "mengaku petugas.")
    page.check("#id_anonymous")
    assert page.locator("#id_contact").is_disabled()
    a, b = map(int, re.findall(r"\d+", page.inner_text("label[for=id_answer]")))
    page.fill("#id_answer", str(a + b))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    _shot(page, tmp_path, "grievance-form-phone")
    page.wait_for_timeout(3100)  # people take longer than the form's minimum fill time
    page.click("#submit-grievance")
    page.wait_for_selector("#ticket-code")

    ticket = page.inner_text("#ticket-code").strip()
    g = Grievance.objects.get()
    assert ticket == g.ticket and g.is_anonymous and g.category == "cut"
    assert "sudah kami terima" in page.inner_text("#filed-notice")
    _shot(page, tmp_path, "grievance-ticket-phone")

    operator = make_user("op.cilegon", "operator", "36.72")
    services.start_investigation(grievance=g, by=operator)
    services.update_public_response(grievance=g, by=operator, text="Sedang dicek ke data penyaluran Bank BJB.")

    page.goto(f"{live_server.url}/pengaduan/")
    page.click("#lookup summary")
    page.fill("#id_tiket", ticket.lower().replace("-", " "))
    page.click("#lookup button[type=submit]")
    page.wait_for_selector("#status-label")
    assert page.inner_text("#status-label") == "Sedang diperiksa"
    assert "Bank BJB" in page.inner_text("#public-response")
    assert page.url.endswith(f"/pengaduan/{ticket}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _shot(page, tmp_path, "grievance-status-phone")
