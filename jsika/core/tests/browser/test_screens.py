"""The pages in a real browser at desktop and phone width: no sideways scrolling, htmx filters and the
NIK reveal work under the CSP. Screenshots land in tmp_path (JSIKA_SHOTS=dir keeps copies to look at)."""

import os
import shutil

import pytest
from playwright.sync_api import expect

from jsika.conftest import needs_chromium
from jsika.registry.tests.factories import make_banten_world, make_user

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def shot(page, path):
    page.screenshot(path=str(path), full_page=True)
    target = os.environ.get("JSIKA_SHOTS")
    if target:
        shutil.copy(path, target)


def overflow(page) -> int:
    """How far the page scrolls sideways (0 when it fits); measured once styles and fonts are in."""
    page.wait_for_load_state("networkidle")
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize(("label", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_pages_fit_the_screen_and_the_registry_works(live_server, page, regions, tmp_path, label, viewport):
    world = make_banten_world()
    make_user("operator.cilegon", "operator", "36.72")
    page.set_viewport_size(viewport)
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    page.goto(live_server.url + "/")
    assert overflow(page) <= 0
    shot(page, tmp_path / f"{label}-landing.png")

    page.goto(live_server.url + "/masuk/")
    page.fill("input[name=username]", "operator.cilegon")
    page.fill("input[name=password]", "demo-jsika-2026")
    page.click("form button[type=submit]")
    page.wait_for_url("**/beranda/")
    assert overflow(page) <= 0
    menu_link = page.locator(".site-menubar a[href='/registry/']")
    if label == "phone":  # the menu folds behind the toggler; one tap opens links and account together
        expect(menu_link).to_be_hidden()
        page.click(".navbar-toggler")
        expect(page.locator("#nav-account .lang-switch")).to_be_visible()
    expect(menu_link).to_be_visible()
    shot(page, tmp_path / f"{label}-home.png")

    page.goto(live_server.url + "/registry/")
    assert page.locator("#result-count").inner_text() == "3 keluarga"
    if label == "phone":
        page.click("button[data-bs-target='#more-filters']")
    page.click("label[for=id_hamil]")  # htmx swaps the table in place
    expect(page.locator("#result-count")).to_have_text("1 keluarga")
    assert "hamil=on" in page.url
    assert overflow(page) <= 0
    shot(page, tmp_path / f"{label}-list.png")

    household = world["pulomerak"]
    wife = household.members.get(name="Siti Chadidjah")
    page.goto(f"{live_server.url}/registry/keluarga/{household.pk}/")
    assert wife.nik not in page.content()
    page.locator("tr", has_text="Siti Chadidjah").locator("button.btn-nik").click()
    page.wait_for_selector(f"text={wife.nik}")
    assert overflow(page) <= 0
    shot(page, tmp_path / f"{label}-detail.png")
    assert errors == []
