"""An education office finds the KPM children finishing SMP and records an SMA/SMK place for one of them."""

import os
import shutil

import pytest

from jsika.conftest import needs_chromium
from jsika.partners.models import Intervention

from ..factories import partner_world

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]


def _keep(png):
    target = os.environ.get("JSIKA_SHOTS")
    if target:
        shutil.copy(png, target)


def test_education_office_reserves_a_school_place(login, regions, tmp_path):
    world = partner_world()
    world["education"].set_password("pw-jsika-test-2026")
    world["education"].save()
    page = login("opd.pendidikan")
    base = page.url.split("/beranda")[0]
    page.goto(base + "/mitra/pendidikan/")
    assert page.locator("#persons").get_by_text("Rizky Pratama").is_visible()
    assert page.locator("#school-summary").is_visible()
    page.screenshot(path=str(tmp_path / "pendidikan.png"), full_page=True)
    _keep(tmp_path / "pendidikan.png")
    page.locator("#persons tr", has_text="Rizky Pratama").get_by_role("link", name="Catat layanan").click()
    page.select_option("select[name=kind]", "reservasi_sma_smk")
    page.fill("input[name=place]", "SMA Negeri 1 Cilegon")
    page.get_by_role("button", name="Simpan").click()
    page.wait_for_url(lambda url: "/layanan/" not in url)
    assert page.locator("#persons tr", has_text="Rizky Pratama").get_by_text("1 layanan").is_visible()
    intervention = Intervention.objects.get()
    assert (intervention.person.name, intervention.place) == ("Rizky Pratama", "SMA Negeri 1 Cilegon")
