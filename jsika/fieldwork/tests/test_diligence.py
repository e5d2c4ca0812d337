"""Facilitator diligence: visits done / due, sessions, 60 days without a visit, late and incomplete records."""

import csv
import io
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from jsika.fieldwork import diligence, periods, services
from jsika.fieldwork.models import FamilySession, Visit

from .factories import assign_caseload, jpeg, make_household, make_user, world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(regions):
    return world()


def this_month():
    today = timezone.localdate()
    return periods.of(today), today


def visit(user, household, day, *, received_late_days=0, gps=True, photo=False):
    saved = services.record_visit(by=user, client_id=uuid.uuid4(), household=household, visited_on=day,
                                  purpose="pemantauan", latitude=-5.9 if gps else None,
                                  longitude=106.0 if gps else None, photo=jpeg() if photo else None,
                                  recorded_at=timezone.now() - timedelta(hours=5))
    if received_late_days:
        Visit.objects.filter(pk=saved.obj.pk).update(entry_delay_days=received_late_days)
    return saved.obj


def rows_by_name(user, period):
    return {r.facilitator.username: r for r in diligence.diligence(user, period)}


def test_visits_done_due_late_gps_photo_and_lag_per_pendamping(w):
    period, today = this_month()
    visit(w["pendamping"], w["family"], today, photo=True)
    visit(w["pendamping"], w["family"], today, gps=False)  # a second visit to the same family counts once as done
    visit(w["pendamping"], w["small"], today, received_late_days=9)
    services.record_session(by=w["pendamping"], client_id=uuid.uuid4(), region="36.72.03.1001",
                            module="ekonomi", session_number=2, held_on=today)
    rows = rows_by_name(w["manager"], period)
    mine = rows["pendamping.merak"]
    assert (mine.due, mine.visited, mine.visits, mine.sessions) == (2, 2, 3, 1)
    assert mine.visit_percent == 100
    assert (mine.late, mine.without_gps, mine.without_photo) == (1, 2, 3)  # the session has neither GPS nor photo
    assert 4.9 <= mine.sync_lag_hours <= 5.1
    other = rows["pendamping.suralaya"]
    assert (other.due, other.visited, other.visit_percent, other.not_visited) == (1, 0, 0, 1)
    assert mine.rank == 1 and other.rank == 2


def test_households_not_visited_in_60_days(w):
    period, today = this_month()
    visit(w["pendamping"], w["family"], today - timedelta(days=59))
    visit(w["pendamping"], w["small"], today - timedelta(days=61))
    assert rows_by_name(w["manager"], period)["pendamping.merak"].not_visited == 1
    unvisited = list(diligence.not_visited_households(w["pendamping"], period))
    assert unvisited == [w["small"]]


def test_a_past_month_is_judged_on_its_last_day(w):
    period, today = this_month()
    previous = periods.shift(period, -1)
    visit(w["pendamping"], w["family"], periods.parse(previous)[1])
    rows = rows_by_name(w["manager"], previous)
    assert (rows["pendamping.merak"].visited, rows["pendamping.merak"].visits) == (1, 1)
    assert rows_by_name(w["manager"], period)["pendamping.merak"].visits == 0


def test_supervisors_see_only_pendamping_of_their_region(w):
    lebak = make_user("pendamping.lebak", "facilitator", "36.02.01")
    assign_caseload(lebak, make_household("36.02.01.2001"))
    period, _ = this_month()
    assert set(rows_by_name(w["manager"], period)) == {"pendamping.merak", "pendamping.suralaya"}
    assert set(rows_by_name(w["operator_lebak"], period)) == {"pendamping.lebak"}
    assert set(rows_by_name(w["auditor"], period)) == {"pendamping.merak", "pendamping.suralaya", "pendamping.lebak"}


def test_sorting_by_lowest_visits_puts_the_least_diligent_first(w):
    period, today = this_month()
    visit(w["pendamping"], w["family"], today)
    rows = diligence.diligence(w["manager"], period, sort="terendah")
    assert [r.facilitator.username for r in rows] == ["pendamping.suralaya", "pendamping.merak"]
    assert [r.rank for r in rows] == [2, 1]


def test_the_page_ranks_and_exports_csv(w):
    period, today = this_month()
    visit(w["pendamping"], w["family"], today)
    client = Client()
    client.force_login(w["manager"])
    page = client.get(f"/lapangan/kinerja/?bulan={period}")
    assert page.status_code == 200
    assert page.content.decode().index("pendamping.merak") < page.content.decode().index("pendamping.suralaya")
    export = client.get(f"/lapangan/kinerja/?bulan={period}&format=csv")
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert [r["pendamping"] for r in rows] == ["pendamping.merak", "pendamping.suralaya"]
    assert rows[0]["keluarga_dampingan"] == "2" and rows[0]["keluarga_dikunjungi"] == "1"
    assert rows[0]["persen_kunjungan"] == "50"


def test_the_drill_down_lists_the_months_records(w):
    period, today = this_month()
    v = visit(w["pendamping"], w["family"], today, received_late_days=10)
    services.record_session(by=w["pendamping"], client_id=uuid.uuid4(), region="36.72.03.1001", module="ekonomi",
                            session_number=1, held_on=today)
    client = Client()
    client.force_login(w["operator"])
    page = client.get(f"/lapangan/kinerja/{w['pendamping'].pk}/?bulan={period}").content.decode()
    assert f"/lapangan/kunjungan/{v.pk}/" in page and "+10" in page
    assert f"/lapangan/p2k2/{FamilySession.objects.get().pk}/" in page
    assert f"/lapangan/keluarga/{w['small'].pk}/" in page  # not visited in 60 days
    client.force_login(w["operator_lebak"])
    assert client.get(f"/lapangan/kinerja/{w['pendamping'].pk}/").status_code == 404
