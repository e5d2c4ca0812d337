"""Each figure of the dashboard against the hand-computed world of factories.world()."""

from datetime import date

import pytest
from django.core.management import call_command

from jsika.reports.models import CycleFact, FigureFact, RegionPoint
from jsika.reports.queries import Figures, children, cycles, region_points
from jsika.reports.services import refresh_figures

from .factories import world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(regions):
    data = world()
    refresh_figures(today=date(2026, 6, 1))
    return data


def test_kpm_per_year_counts_a_household_active_one_day_of_the_year(w):
    jscm = w["jscm"].pk
    assert Figures("36.72", jscm).kpm_per_year() == {2017: 2, 2018: 2, 2019: 3, 2020: 3, 2021: 3, 2022: 3,
                                                    2023: 3, 2024: 3, 2025: 3, 2026: 3}
    assert Figures("36.72.03", jscm).kpm_per_year()[2019] == 2
    assert Figures("36.72.03.1001", jscm).kpm_per_year()[2017] == 2
    assert Figures("36", jscm).kpm_per_year()[2019] == 3
    assert Figures("", None).kpm_per_program_year()[w["jsr"].pk][2020] == 1
    assert Figures("36.02", None).kpm_per_year() == {y: 1 for y in range(2020, 2027)}


def test_kpm_in_a_month_from_joiners_and_leavers(w):
    f = Figures("36.72", w["jscm"].pk)
    assert f.kpm_in_month(2017, 1) == 0
    assert f.kpm_in_month(2017, 2) == 1
    assert f.kpm_in_month(2017, 12) == 2
    assert f.kpm_in_month(2018, 1) == 1
    assert f.kpm_in_month(2018, 5) == 2
    assert f.kpm_in_month(2019, 1) == 3


def test_money_per_year_and_funder_from_the_benefit_rules_and_the_payments(w):
    f = Figures("36.72", w["jscm"].pk)
    assert f.money_per_year("entitled_rupiah")[2017] == {"36.72": 2_000_000}
    assert f.money_per_year("entitled_rupiah")[2019] == {"36.72": 1_500_000}
    assert [f.per_kpm_rupiah(y) for y in (2017, 2018, 2019)] == [1_000_000, 1_000_000, 500_000]
    assert f.money_per_year("committed_rupiah") == {2019: {"36.72": 1_500_000}}
    assert f.money_per_year("paid_rupiah") == {2019: {"36.72": 1_000_000}}
    assert f.total("paid_count", year=2019) == 2
    lebak = Figures("36.02", w["jsr"].pk)
    assert lebak.money_per_year("entitled_rupiah")[2020] == {"36": 600_000, "36.02": 400_000}
    assert Figures("36", None).money_per_year("entitled_rupiah")[2020] == {
        "36": 600_000, "36.02": 400_000, "36.72": 1_500_000}  # JSCM pays Rp500,000 to its 3 KPM until a new rule


def test_enrollments_by_status(w):
    assert Figures("36.72", w["jscm"].pk).status_counts() == {"active": 2, "exited": 1, "suspended": 1}
    assert Figures("36", None).status_counts() == {"active": 3, "exited": 1, "suspended": 1}


def test_compliance_rate_per_condition(w):
    f = Figures("36.72", w["jscm"].pk)
    assert f.compliance(2019) == {"p2k2": (1, 1), "school_attendance": (2, 1)}
    assert f.compliance(2019, 3) == f.compliance(2019)
    assert Figures("36.72.01", None).compliance(2019) == {"p2k2": (1, 1)}
    assert Figures("36.02", None).compliance(2019) == {}


def test_visits_sessions_attendance_and_diligence(w):
    f = Figures("36.72", None)
    assert f.monthly("visits", 2019)[2:4] == [2, 1]
    assert f.monthly("visited_households", 2019)[2:4] == [1, 1]
    assert f.monthly("caseload_visited", 2019)[2:4] == [1, 0]
    assert f.total("visits", year=2019) == 3
    assert f.total("late_records", year=2019) == 1
    assert f.total("sessions", year=2019, month=3) == 1
    assert (f.total("attendance_present", year=2019), f.total("attendance_total", year=2019)) == (1, 2)
    assert f.total("caseload") == 1
    assert Figures("36.72.03", None).total("facilitators") == 1
    assert Figures("36.72.01", None).total("facilitators") == 0


def test_graduations_against_target_and_ready_to_graduate(w):
    f = Figures("36.72", w["jscm"].pk)
    assert f.graduation_per_year() == {2017: (1, 5)}
    assert f.total("ready_to_graduate") == 1  # h3; h1's latest assessment is not ready
    assert Figures("36", w["jscm"].pk).graduation_per_year() == {2017: (1, 5)}  # no province target: Cilegon's
    assert Figures("36.72.03", w["jscm"].pk).graduation_per_year() == {2017: (1, None)}  # none set below


def test_uep_survival_at_each_follow_up(w):
    f = Figures("36.72.03", w["jscm"].pk)
    assert f.uep_survival() == {"3": (1, 1), "6": (1, 0)}
    assert (f.total("uep_disbursed", year=2018), f.total("uep_disbursed_rupiah", year=2018)) == (1, 2_000_000)


def test_grievances_by_category_and_sla(w):
    f = Figures("36.72", None)
    assert f.by("grievances", index=lambda p, y, m, k: k, year=2019) == {"cut": 1, "not_received": 1}
    assert (f.total("grievances_closed", year=2019), f.total("grievances_on_time", year=2019)) == (1, 1)
    assert (f.total("grievances_open"), f.total("grievances_overdue")) == (1, 1)
    banten = Figures("36", None)
    assert (banten.total("grievances", year=2019), banten.total("grievances_open"),
            banten.total("grievances_overdue")) == (3, 2, 1)


def test_payment_cycle_totals_per_region(w):
    pulomerak = cycles("36.72.03").get()
    assert (pulomerak.paid_on, pulomerak.payments, pulomerak.amount_rupiah, pulomerak.paid_count) == (
        date(2019, 11, 20), 2, 1_000_000, 1)
    assert (pulomerak.min_amount_rupiah, pulomerak.max_amount_rupiah) == (500_000, 500_000)
    city = cycles("36.72").get()
    assert (city.payments, city.amount_rupiah, city.paid_rupiah, city.failed_count) == (3, 1_500_000, 1_000_000, 1)
    assert not cycles("36.02").exists()


def test_children_give_the_parts_of_a_region(w):
    rows = children("36", ["kpm", "grievances"], year=2019)
    assert rows == {"36.02": {"kpm": 0, "grievances": 1}, "36.72": {"kpm": 3, "grievances": 2}}
    assert children("36.72", ["kpm"], year=2019, program_id=w["jscm"].pk) == {
        "36.72.01": {"kpm": 1}, "36.72.03": {"kpm": 2}}
    assert children("36.72.03.1001", ["kpm"], year=2019) == {}


def test_region_points_are_centroids_of_households_with_kpm_per_criterion(w):
    desa = region_points("36.72.03", level=4).get()
    assert desa.region_code == "36.72.03.1001"
    assert desa.latitude == pytest.approx(-5.952) and desa.longitude == pytest.approx(106.002)
    assert (desa.households, desa.kpm, desa.suspended, desa.pregnant, desa.dropout, desa.ready) == (3, 2, 1, 1, 1, 1)
    city = RegionPoint.objects.get(region_code="36.72", program=None)
    assert city.households == 4 and city.kpm == 3
    assert city.latitude == pytest.approx((-5.950 - 5.952 - 5.954 - 6.020) / 4)
    assert {p.region_code for p in region_points("36")} == {"36.02", "36.72"}


def test_refresh_replaces_everything_and_the_command_runs_it(w, capsys):
    before = (FigureFact.objects.count(), CycleFact.objects.count(), RegionPoint.objects.count())
    call_command("refresh_dashboard")
    assert (FigureFact.objects.count(), CycleFact.objects.count(), RegionPoint.objects.count()) == before
    assert "Angka dasbor diperbarui" in capsys.readouterr().out
