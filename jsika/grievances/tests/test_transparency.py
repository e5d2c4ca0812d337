"""/transparansi/: figures per program, year and region; small cells hidden; CSV; filters in the address."""

import csv
import html
import io
import re
from datetime import date

import pytest

from jsika.grievances import services
from jsika.grievances import transparency as tp
from jsika.programs.models import Enrollment
from jsika.programs.queries import kpm_count
from jsika.programs.tests.factories import make_program

from .factories import days_ago, file, make_household, people

pytestmark = pytest.mark.django_db


def enroll(program, region: str, n: int, *, start=date(2017, 2, 1), end=None, reason="", by):
    """``n`` households of ``region`` in ``program`` from ``start`` (until ``end``, leaving for ``reason``)."""
    rows = []
    for _ in range(n):
        household = make_household(region, desil=2)
        rows.append(Enrollment(
            program=program, household=household, proposed_by=by, started_on=start,
            tenure_ends_on=date(start.year + 5, start.month, start.day), ended_on=end,
            status="exited" if end else "active", exit_reason=reason if end else ""))
    Enrollment.objects.bulk_create(rows)


@pytest.fixture
def jscm(regions):
    p = people()
    program = make_program(p["admin"], "JSCM", "36.72", name="Jaminan Sosial Cilegon Mandiri", start_year=2017)
    enroll(program, "36.72.03.1001", 7, by=p["admin"])                              # Pulomerak, all years
    enroll(program, "36.72.03.1002", 5, by=p["admin"], end=date(2017, 12, 31), reason="graduated")  # 2017 only
    enroll(program, "36.72.01.1001", 3, by=p["admin"])                              # Cilegon: a small cell
    enroll(program, "36.72.02.1001", 20, by=p["admin"], start=date(2018, 3, 1))    # from 2018
    return {"program": program, "p": p}


def table_cells(page: str, table_id: str) -> dict[str, dict[str, str]]:
    """{row code: {figure key: text}} read from the rendered table."""
    body = page.split(f'id="{table_id}"')[1].split("</table>")[0]
    rows = {}
    for code, cells in re.findall(r'<tr[^>]*data-(?:code|year)="([^"]+)"[^>]*>(.*?)</tr>', body, re.S):
        rows[code] = {k: html.unescape(re.sub(r"<[^>]+>", "", v)).strip()
                      for k, v in re.findall(r'<td class="num" data-key="([^"]+)"[^>]*>(.*?)</td>', cells, re.S)}
    return rows


def test_kpm_per_kecamatan_hides_small_cells_and_their_complement(client, jscm):
    page = client.get("/transparansi/?program=JSCM&tahun=2019&wilayah=36.72").content.decode()
    cells = table_cells(page, "region-table")
    assert cells["36.72.01"]["kpm"] == "< 5"          # 3 households
    assert cells["36.72.02"]["kpm"] == "20"
    assert cells["36.72.03"]["kpm"] == "< 5"          # 7, hidden too: 30 − 20 − 7 would reveal the 3
    assert cells["36.72"]["kpm"] == "30"
    assert cells["36.72.04"]["kpm"] == "0"


def test_kpm_per_year_matches_the_programs_count(client, jscm):
    page = client.get("/transparansi/?program=JSCM&wilayah=36.72").content.decode()
    years = table_cells(page, "year-table")
    assert years["2017"]["kpm"] == "15" and years["2018"]["kpm"] == "30" and years["2019"]["kpm"] == "30"
    for year in (2017, 2018, 2019):
        assert years[str(year)]["kpm"] == str(kpm_count("JSCM", year, "36.72"))
    assert years["2017"]["graduations"] == "5" and years["2018"]["graduations"] == "0"


def test_filters_in_the_address_select_program_year_and_region(client, jscm):
    response = client.get("/transparansi/?program=JSCM&tahun=2017&wilayah=36.72.03")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="region-trail"' in page and "Kecamatan" not in page.split('id="region-trail"')[1][:40]
    cells = table_cells(page, "region-table")
    assert cells == {"36.72.03": {"kpm": "12", "paid": "Rp0", "graduations": "5", "grievances_filed": "0",
                                  "grievances_resolved": "0"}}
    assert '<option value="2017" selected>' in page and '<option value="JSCM" selected>' in page


def test_unusable_filters_fall_back_with_a_message(client, jscm):
    page = client.get("/transparansi/?program=XYZ&tahun=1900&wilayah=36.72.03.1001").content.decode()
    assert "Program XYZ tidak dikenal" in page and "Tahun 1900 tidak tersedia" in page
    assert "Wilayah 36.72.03.1001 tidak dikenal" in page  # a desa is below the smallest area shown
    assert client.get("/transparansi/?wilayah=<script>").status_code == 200


def test_grievances_filed_and_resolved_per_year(client, jscm):
    p = jscm["p"]
    grievances = [file(region="36.72.03.1001") for _ in range(6)]
    for g in grievances[:5]:
        services.resolve(grievance=g, by=p["operator"], outcome="corrected", outcome_note="Diperbaiki.",
                         public_response="Selesai.")
    file(region="36.72.01.1001", at=days_ago(1))
    year = str(days_ago(0).year)
    page = client.get(f"/transparansi/?tahun={year}&wilayah=36.72").content.decode()
    cells = table_cells(page, "region-table")
    assert cells["36.72.01"]["grievances_filed"] == "< 5"  # 1
    assert cells["36.72.03"]["grievances_filed"] == "< 5"  # 6, the complement of the hidden 1
    assert cells["36.72"]["grievances_filed"] == "7" and cells["36.72"]["grievances_resolved"] == "5"
    assert cells["36.72.03"]["grievances_resolved"] == "5"


def test_csv_has_every_year_and_the_same_hiding(client, jscm):
    response = client.get("/transparansi/?program=JSCM&wilayah=36.72&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="transparansi-JSCM-36.72.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {r["tahun"] for r in rows} >= {"2017", "2018", "2019"}
    by_key = {(r["tahun"], r["kode_wilayah"]): r for r in rows}
    assert by_key[("2019", "36.72")]["kpm"] == "30"
    assert by_key[("2019", "36.72.01")]["kpm"] == "< 5" and by_key[("2019", "36.72.03")]["kpm"] == "< 5"
    assert by_key[("2018", "36.72.02")]["kpm"] == "20"
    assert by_key[("2017", "36.72.03")]["kpm"] == "< 5"  # 12, hidden as the complement of the 3 in 36.72.01


def test_a_plugged_in_rupiah_figure_hides_by_households_not_by_amount(client, jscm, monkeypatch):
    paid = {"36.72.03": tp.Cell(100_500_000, 201), "36.72.01": tp.Cell(2_000_000, 2),
            "36.72.02": tp.Cell(5_000_000, 10)}

    def paid_cells(program, year, prefix, depth):
        if depth == len(prefix):
            return {prefix: sum(paid.values(), tp.ZERO)}
        return paid

    figure = tp.Figure("paid", "Dana tersalur", "rupiah", paid_cells, order=20)
    monkeypatch.setattr(tp, "PAYMENT_FIGURES", [figure])  # stands in for the payments module's figure
    page = client.get("/transparansi/?program=JSCM&tahun=2019&wilayah=36.72").content.decode()
    cells = table_cells(page, "region-table")
    assert cells["36.72.03"]["paid"] == "Rp100.500.000"
    assert cells["36.72.01"]["paid"] == "< 5"
    assert cells["36.72.02"]["paid"] == "< 5"  # the complement of the single hidden cell
    assert cells["36.72"]["paid"] == "Rp107.500.000"


def test_the_page_draws_its_charts_from_embedded_json_without_inline_script(client, jscm):
    page = client.get("/transparansi/?program=JSCM&wilayah=36.72").content.decode()
    assert '<script id="figure-data" type="application/json">' in page
    assert "vendor/chartjs/chart.umd.min.js" in page and "grievances/transparency.js" in page
    scripts = [s for s in page.split("<script")[1:] if not s.lstrip().startswith(("src=", 'id="figure-data"'))]
    assert all(s.split(">", 1)[1].startswith("</script") for s in scripts)  # no inline code


def test_without_programs_the_page_still_shows_grievance_figures(client, regions):
    file()
    response = client.get("/transparansi/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Pengaduan masuk" in page


def test_amounts_paid_come_from_the_payments_credited(client, regions):
    from jsika.payments.models import Payment
    from jsika.payments.tests.factories import approved_cycle, jscm_world

    program, p, _ = jscm_world(n_pulomerak=6, n_ciwaduk=0)
    cycle = approved_cycle(program, p, year=2025)
    payments = list(Payment.objects.filter(cycle=cycle).order_by("pk"))
    assert len(payments) == 6
    Payment.objects.filter(pk__in=[x.pk for x in payments[:5]]).update(
        status="paid", credited_amount_rupiah=1_000_000, credited_on=date(2025, 11, 20))
    Payment.objects.filter(pk=payments[5].pk).update(status="failed")
    page = client.get("/transparansi/?program=JSCM&tahun=2025&wilayah=36.72").content.decode()
    cells = table_cells(page, "region-table")
    assert cells["36.72.03"]["paid"] == "Rp5.000.000" and cells["36.72"]["paid"] == "Rp5.000.000"
    assert cells["36.72.01"]["paid"] == "Rp0"
    assert "Data dana tersalur akan tampil" not in page


def test_an_app_can_plug_in_or_replace_a_figure(monkeypatch):
    import sys
    import types

    replacement = tp.Figure("graduations", "Graduasi (modul graduasi)", "households", lambda *a: {}, order=60)
    module = types.ModuleType("jsika.grievances.public_figures")
    module.FIGURES = [replacement]
    monkeypatch.setitem(sys.modules, "jsika.grievances.public_figures", module)
    monkeypatch.setattr(tp, "PLUGIN_APPS", ("jsika.grievances", "jsika.not_installed"))
    figures = {f.key: f for f in tp.figures()}
    assert figures["graduations"] is replacement
    assert list(figures) == ["kpm", "paid", "graduations", "grievances_filed", "grievances_resolved"]
