"""The field app in a phone-sized Chromium: record offline, see the queue, go online, synced exactly once."""

import os
import shutil

import pytest

from jsika.conftest import needs_chromium
from jsika.fieldwork.models import Attendance, FamilySession, Visit
from jsika.registry.tests.factories import PASSWORD

from ..factories import world

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def shot(page, tmp_path, name):
    """Keep a screenshot (JSIKA_SHOTS=dir keeps a copy to look at)."""
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    target = os.environ.get("JSIKA_SHOTS")
    if target:
        os.makedirs(target, exist_ok=True)
        shutil.copy(path, target)


BADGE = ".field-tabbar [data-queue-count]"


def queue_count(page) -> str:
    """The queue badge of the tab bar (hidden when nothing waits). Locators only: CSP forbids eval."""
    badge = page.locator(BADGE)
    return "0" if badge.is_hidden() else badge.inner_text()


def wait_synced(page):
    page.wait_for_selector(BADGE, state="hidden", timeout=20_000)
    page.wait_for_selector(".net-status:not(.is-syncing)")


def test_visit_recorded_offline_is_synced_exactly_once_when_back_online(login, live_server, page, regions, tmp_path):
    w = world()
    page.set_viewport_size(PHONE)
    login("pendamping.merak", password=PASSWORD)
    page.goto(f"{live_server.url}/lapangan/kunjungan/baru/")
    page.wait_for_selector("#visit-form[data-ready='1']")  # the caseload is fetched and kept on the phone

    page.context.set_offline(True)
    page.wait_for_selector(".net-status.is-offline")
    page.select_option("#household", str(w["family"].pk))
    page.fill(f".member-row[data-person='{w['pupil'].pk}'] input[name=attendance]", "92")
    page.select_option(f".member-row[data-person='{w['mother'].pk}'] select[name=antenatal]", "1")
    page.check("#problem-sakit")
    page.fill("#notes", "Dicatat tanpa sinyal di Merak")
    page.click("#visit-form button[type=submit]")
    page.wait_for_selector(".toast-saved")
    page.wait_for_selector(f"{BADGE}:has-text('1')")
    assert queue_count(page) == "1"
    assert Visit.objects.count() == 0
    shot(page, tmp_path, "lapangan-kunjungan-luring")

    page.context.set_offline(False)  # the 'online' event starts the sync
    wait_synced(page)
    assert Visit.objects.count() == 1
    page.click("#net-status [data-sync-now]")  # sending again never duplicates
    page.wait_for_timeout(500)
    page.wait_for_selector(".net-status:not(.is-syncing)")
    assert Visit.objects.count() == 1
    visit = Visit.objects.get()
    assert visit.facilitator == w["pendamping"] and visit.household == w["family"]
    assert visit.notes == "Dicatat tanpa sinyal di Merak" and visit.problems == ["sakit"]
    assert {"person": w["pupil"].pk, "attendance_percent": 92, "in_school": True} in visit.condition["school"]
    assert visit.condition["pregnant"] == [{"person": w["mother"].pk, "antenatal_checked": True, "check_count": None}]
    assert visit.device_id.startswith("web-") and visit.recorded_at is not None

    page.goto(f"{live_server.url}/lapangan/antrean/")
    page.wait_for_selector("#queue-list p")
    shot(page, tmp_path, "lapangan-antrean")
    page.goto(f"{live_server.url}/lapangan/")
    page.wait_for_selector("#stat-visited")
    assert page.inner_text("#stat-visited") == "1"
    shot(page, tmp_path, "lapangan-hari-ini")


def test_p2k2_session_with_attendance_recorded_offline_syncs(login, live_server, page, regions, tmp_path):
    w = world()
    page.set_viewport_size(PHONE)
    login("pendamping.merak", password=PASSWORD)
    page.goto(f"{live_server.url}/lapangan/p2k2/baru/")
    page.wait_for_selector("#session-form[data-ready='1']")
    page.context.set_offline(True)
    page.wait_for_selector(".net-status.is-offline")
    page.select_option("#region", "36.72.03.1001")
    page.select_option("#module", "perlindungan-anak")
    page.select_option("#session_number", "2")
    page.fill("#place", "Balai RW 02")
    page.check(f"#hadir-{w['family'].pk}")
    shot(page, tmp_path, "lapangan-p2k2")
    page.click("#session-form button[type=submit]")
    page.wait_for_selector(".toast-saved")
    page.wait_for_selector(f"{BADGE}:has-text('2')")  # the session and one attendance
    page.context.set_offline(False)
    wait_synced(page)
    session = FamilySession.objects.get()
    assert (session.module.code, session.session_number, session.place) == ("perlindungan-anak", 2, "Balai RW 02")
    assert list(Attendance.objects.values_list("household_id", "present")) == [(w["family"].pk, True)]


def test_a_refused_record_stays_in_the_queue_with_the_reason(login, live_server, page, regions, tmp_path):
    w = world()
    page.set_viewport_size(PHONE)
    login("pendamping.merak", password=PASSWORD)
    page.goto(f"{live_server.url}/lapangan/kunjungan/baru/")
    page.wait_for_selector("#visit-form[data-ready='1']")
    page.context.set_offline(True)
    page.wait_for_selector(".net-status.is-offline")
    page.select_option("#household", str(w["small"].pk))
    page.click("#visit-form button[type=submit]")
    page.wait_for_selector(".toast-saved")
    # Meanwhile the household moved to another pendamping's caseload.
    from jsika.fieldwork import services

    services.assign_caseload(facilitator=w["other"], households=[w["small"]], by=w["manager"])
    page.context.set_offline(False)
    page.wait_for_selector(".net-status:not(.is-syncing) .net-text:has-text('ditolak')", timeout=20_000)
    page.goto(f"{live_server.url}/lapangan/antrean/")
    page.wait_for_selector(".queue-item.is-rejected")
    assert "tidak ada dalam daftar dampingan" in page.inner_text(".queue-item.is-rejected .reason")
    assert Visit.objects.count() == 0
    shot(page, tmp_path, "lapangan-antrean-ditolak")


def test_the_installed_app_opens_its_pages_without_signal(login, live_server, page, regions, tmp_path):
    world()
    page.set_viewport_size(PHONE)
    login("pendamping.merak", password=PASSWORD)
    page.goto(f"{live_server.url}/lapangan/")
    assert page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now controlled by the service worker, which has cached the shell
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    page.context.set_offline(True)
    for path, selector in (("/lapangan/antrean/", "#queue-list"), ("/lapangan/kunjungan/baru/", "#visit-form"),
                           ("/lapangan/", "#stat-households")):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_selector(selector)
        page.wait_for_selector(".net-status.is-offline")
    page.goto(f"{live_server.url}/lapangan/kunjungan/baru/")
    page.wait_for_selector("#visit-form[data-ready='1']")
    assert page.locator("#household option").count() == 3  # the placeholder and the two families, from the phone
    shot(page, tmp_path, "lapangan-luring-dari-cache")
