"""Dashboard, map and report pages: who may open them, what each scope sees, where the figures link."""

import json
from datetime import date

import pytest
from django.urls import reverse

from jsika.core.models import AccessLog, Job
from jsika.reports.services import refresh_figures

from .factories import CIWADUK, MALINGPING, PULOMERAK, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(regions):
    data = world()
    refresh_figures(today=date(2026, 6, 1))
    return data


def _client(client, user):
    client.force_login(user)
    return client


def _charts(response) -> dict:
    return {c["id"]: c for c in response.context["charts"]["charts"]}


def test_roles_without_a_region_get_no_dashboard(w, client):
    assert client.get(reverse("reports:dashboard")).status_code == 302
    for who in ("bank", "facilitator"):
        assert _client(client, w[who]).get(reverse("reports:dashboard")).status_code == 403
        assert client.get(reverse("reports:map")).status_code == 403
        assert client.get(reverse("reports:map_points"), {"desa": PULOMERAK}).status_code == 403


def test_province_manager_sees_every_figure_with_links_to_the_lists(w, client):
    response = _client(client, w["banten"]).get(reverse("reports:dashboard"), {"program": "JSCM", "tahun": 2019})
    assert response.status_code == 200
    charts = _charts(response)
    assert set(charts) == {"kpm", "money", "status", "compliance", "diligence", "graduation", "uep", "grievances"}
    kpm = charts["kpm"]
    assert kpm["datasets"][0]["label"] == "JSCM"
    assert dict(zip(kpm["labels"], kpm["datasets"][0]["data"], strict=True))["2019"] == 3
    assert kpm["datasets"][0]["links"][0] == "/program/kepesertaan/?wilayah=36&program=JSCM"
    assert charts["status"]["links"][0].startswith("/program/kepesertaan/?wilayah=36&program=JSCM&status=")
    assert charts["grievances"]["links"][0].startswith("/grievances/?wilayah=36&kategori=")
    assert charts["compliance"]["links"][0] == "/lapangan/kepatuhan/?bulan=2019-12&program=JSCM"
    html = response.content.decode()
    assert 'href="/registry/?wilayah=36.72"' in html and "Rp500.000" in html  # the region table; per KPM
    # JSCM lives in Cilegon only; Lebak shows up with its grievances (they belong to no program)
    assert [(r["code"], r["kpm"], r["grievances"]) for r in response.context["regions"]] == [
        ("36.02", 0, 1), ("36.72", 3, 2)]
    assert response.context["cycles"][0].payments == 3


def test_kabkota_operator_never_sees_another_kabkota(w, client):
    c = _client(client, w["cilegon"])
    for params in ({}, {"wilayah": "36"}, {"wilayah": "36.02"}, {"wilayah": "36.02.01.2001"}):
        response = c.get(reverse("reports:dashboard"), params)
        assert response.context["scope"].code == "36.72"
        assert [r["code"] for r in response.context["regions"]] == ["36.72.01", "36.72.03"]
        main = response.content.decode().split("<main")[1].split("</main>")[0]
        assert "36.02" not in main and "Lebak" not in main.replace("Lebak Gede", "")
    response = c.get(reverse("reports:dashboard"), {"wilayah": "36.72.03", "tahun": 2019})
    assert response.context["scope"].code == "36.72.03"
    assert dict(zip(*(_charts(response)["kpm"][k] for k in ("labels",)), _charts(response)["kpm"]["datasets"][0]
                    ["data"], strict=True))["2019"] == 2
    grievances = _client(client, w["lebak"]).get(reverse("reports:dashboard"), {"tahun": 2019})
    assert _charts(grievances)["grievances"]["labels"] == ["Lainnya"]


def test_map_regions_and_points_stay_in_scope(w, client):
    c = _client(client, w["cilegon"])
    page = c.get(reverse("reports:map"))
    assert page.status_code == 200 and page.context["config"]["scope"] == "36.72"
    regions = c.get(reverse("reports:map_regions"), {"wilayah": "36", "level": "2"}).json()["regions"]
    assert [r["code"] for r in regions] == ["36.72.01", "36.72.03"]  # never above the user's own region
    desa = c.get(reverse("reports:map_regions"), {"level": "4"}).json()["regions"]
    assert {r["code"] for r in desa} == {PULOMERAK, CIWADUK}
    points = c.get(reverse("reports:map_points"), {"desa": f"{PULOMERAK},{MALINGPING}"}).json()["points"]
    assert sorted(p["desa_code"] for p in points) == [PULOMERAK, PULOMERAK]  # h1 and h3 (h2 left the program)
    h1 = next(p for p in points if p["hamil"])
    assert h1["status"] == "active" and not h1["putus_sekolah"] and "*" in h1["kk"]
    h3 = next(p for p in points if p["putus_sekolah"])
    assert h3["status"] == "suspended" and h3["siap_graduasi"]
    lebak = _client(client, w["lebak"]).get(reverse("reports:map_points"), {"desa": PULOMERAK}).json()
    assert lebak["points"] == []


def test_map_page_passes_its_configuration_without_inline_script(w, client, settings):
    settings.JSIKA_MAP_TILE_URL = "https://tiles.example/{z}/{x}/{y}.png"
    response = _client(client, w["banten"]).get(reverse("reports:map"), {"program": "JSCM"})
    html = response.content.decode()
    config = json.loads(html.split('id="map-config" type="application/json">')[1].split("</script>")[0])
    assert config["tileUrl"] == "https://tiles.example/{z}/{x}/{y}.png" and config["program"] == "JSCM"
    assert config["householdUrl"] == "/registry/keluarga/0/"
    assert "<script>" not in html


def test_report_job_runs_and_only_its_owner_downloads_it(w, client):
    c = _client(client, w["cilegon"])
    response = c.post(reverse("reports:report_index"), {"jenis": "musdes", "program": "JSCM", "wilayah": PULOMERAK,
                                                        "format": "xlsx", "bulan": "2019-11"})
    job = Job.objects.get(kind="report")
    assert response.status_code == 302 and response.url == reverse("reports:job", args=[job.pk])
    assert job.status == "done" and job.result["rows"] == 2
    page = c.get(response.url)
    assert reverse("reports:download", args=[job.pk]) in page.content.decode()
    download = c.get(reverse("reports:download", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Disposition"].endswith('.xlsx"')
    assert AccessLog.objects.filter(user=w["cilegon"], action="export", object_type="report").count() == 1
    other = _client(client, w["banten"])
    assert other.get(reverse("reports:download", args=[job.pk])).status_code == 404
    assert other.get(reverse("reports:job", args=[job.pk])).status_code == 404


def test_report_outside_scope_is_refused(w, client):
    c = _client(client, w["cilegon"])
    response = c.post(reverse("reports:report_index"), {"jenis": "musdes", "program": "JSCM",
                                                        "wilayah": MALINGPING, "format": "pdf", "bulan": "2019-11"})
    assert response.status_code == 200 and "di luar cakupan" in response.content.decode()
    assert not Job.objects.exists()


def test_manager_refreshes_the_figures_through_a_job(w, client):
    assert _client(client, w["cilegon"]).post(reverse("reports:refresh")).status_code == 403
    response = _client(client, w["banten"]).post(reverse("reports:refresh"))
    job = Job.objects.get(kind="dashboard_refresh")
    assert response.url == reverse("reports:job", args=[job.pk]) and job.status == "done" and job.result["rows"] > 0
