"""An operator proposes a family from the screening page, a second operator verifies it, a manager approves it."""

import os
import shutil

import pytest

from jsika.conftest import needs_chromium
from jsika.programs.models import Enrollment

from ..factories import family, make_program, people

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]
PASSWORD = "demo-jsika-2026"  # the password of the registry factories' users


def _session(browser, live_server, username):
    page = browser.new_context(locale="id-ID").new_page()
    page.goto(f"{live_server.url}/masuk/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").first.click()
    page.wait_for_load_state()
    return page


def _keep(page, tmp_path, name):
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    if os.environ.get("JSIKA_SHOTS"):
        shutil.copy(path, os.environ["JSIKA_SHOTS"])


def test_propose_verify_and_approve_an_enrollment(browser, live_server, regions, tmp_path):
    p = people()
    make_program(p["admin"], "JSCM", "36.72")
    household = family("36.72.03.1001", desil=1, school="smp")
    url = live_server.url

    operator = _session(browser, live_server, p["operator"].username)
    operator.goto(f"{url}/program/JSCM/penyaringan/")
    assert "Punya komponen: Anak SMP (Anak Sekolah)" in operator.content()
    operator.click(f"[data-testid=propose-{household.pk}]")
    operator.wait_for_selector(".alert-success")
    assert "menunggu verifikasi petugas lain" in operator.inner_text(".alert-success")
    _keep(operator, tmp_path, "programs-screening")
    enrollment = Enrollment.objects.get(household=household)

    checker = _session(browser, live_server, p["operator2"].username)
    checker.goto(f"{url}/program/kepesertaan/{enrollment.pk}/")
    checker.fill("#reason", "Data sesuai kunjungan rumah")
    checker.click("button:has-text('Verifikasi')")
    checker.wait_for_selector(".alert-success")
    assert checker.inner_text("#status") == "Diverifikasi"

    manager = _session(browser, live_server, p["manager"].username)
    manager.goto(f"{url}/program/kepesertaan/?status=verified")
    manager.click("[data-testid=bulk-approve]")
    manager.wait_for_selector(".alert-success")
    assert "1 usulan disetujui." in manager.inner_text(".alert-success")
    manager.goto(f"{url}/program/kepesertaan/{enrollment.pk}/")
    assert manager.inner_text("#status") == "Disetujui"
    assert "Data sesuai kunjungan rumah" in manager.inner_text("#events")
    _keep(manager, tmp_path, "programs-enrollment")

    enrollment.refresh_from_db()
    assert (enrollment.proposed_by, enrollment.verified_by, enrollment.approved_by) == (
        p["operator"], p["operator2"], p["manager"])
