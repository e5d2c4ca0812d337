"""A kab/kota operator opens the dashboard and the map: charts drawn, figures clickable, nothing of another
kab/kota on either page. Screenshots are kept when JSIKA_SHOTS names a folder."""

import os
import shutil
from datetime import date

import pytest

from jsika.conftest import needs_chromium
from jsika.reports.services import refresh_figures

from ..factories import PASSWORD, PULOMERAK, world

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]


def _shot(page, tmp_path, name):
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=True)
    target = os.environ.get("JSIKA_SHOTS")
    if target:
        shutil.copy(path, target)


def test_kabkota_operator_sees_only_their_city_on_dashboard_and_map(login, regions, live_server, tmp_path):
    world()
    refresh_figures(today=date(2026, 6, 1))
    page = login("op.cilegon.r", PASSWORD)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(f"{live_server.url}/laporan/?program=JSCM&tahun=2019")
    page.wait_for_selector("#chart-kpm[data-drawn]")
    assert page.locator("canvas[data-drawn]").count() >= 6
    assert page.locator("#scope-name").inner_text().startswith("Kota Cilegon")
    codes = page.locator("#region-table tbody tr").evaluate_all("rows => rows.map(r => r.dataset.code)")
    assert codes == ["36.72.01", "36.72.03"]
    main = page.locator("main").inner_text()
    assert "36.02" not in main and "Kabupaten Lebak" not in main
    _shot(page, tmp_path, "reports-dashboard-cilegon.png")

    # A click on a point of the KPM line opens the enrollment list behind it (in scope).
    box = page.locator("#chart-kpm").bounding_box()
    page.mouse.click(box["x"] + box["width"] - 12, box["y"] + box["height"] * 0.3)
    page.wait_for_url("**/program/kepesertaan/**")
    assert "program=JSCM" in page.url and "wilayah=36.72" in page.url

    page.goto(f"{live_server.url}/laporan/peta/?program=JSCM")
    page.wait_for_selector("#kpm-map[data-regions]")
    regions_shown = page.locator("#kpm-map").get_attribute("data-regions").split(",")
    assert regions_shown and all(c.startswith("36.72.") for c in regions_shown)
    assert page.locator(".region-marker").count() == len(regions_shown)
    _shot(page, tmp_path, "reports-map-cilegon.png")

    page.goto(f"{live_server.url}/laporan/peta/?program=JSCM&wilayah=36.72.03")
    page.wait_for_selector("#kpm-map[data-points]:not([data-points='0'])")
    assert page.locator("#kpm-map").get_attribute("data-points") == "2"
    page.select_option("#map-criterion", "hamil")
    cluster = page.locator(".kpm-cluster")
    if cluster.count():  # close houses are grouped; a click zooms in until they separate
        assert cluster.first.inner_text() == "1/2"  # one of the two KPM houses has a pregnant mother
        _shot(page, tmp_path, "reports-map-pulomerak-cluster.png")
        cluster.first.click()
    page.wait_for_selector(".household-marker")
    page.locator(".household-marker").first.click(force=True)
    link = page.locator(".leaflet-popup .household-link")
    link.wait_for()
    assert "/registry/keluarga/" in link.get_attribute("href")
    _shot(page, tmp_path, "reports-map-pulomerak.png")
    link.click()
    page.wait_for_url("**/registry/keluarga/**")
    assert not [e for e in errors if "Content Security Policy" in e or "Uncaught" in e]


def test_lebak_operator_map_has_no_cilegon_household(login, regions, live_server):
    world()
    refresh_figures(today=date(2026, 6, 1))
    page = login("op.lebak.r", PASSWORD)
    page.goto(f"{live_server.url}/laporan/peta/")
    page.wait_for_selector("#kpm-map[data-regions]")
    assert all(c.startswith("36.02.") for c in page.locator("#kpm-map").get_attribute("data-regions").split(","))
    response = page.request.get(f"{live_server.url}/laporan/peta/titik.json?desa={PULOMERAK}")
    assert response.json()["points"] == []
