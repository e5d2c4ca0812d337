"""The criteria flags computed in Python for one household (API detail) equal the SQL filters' answer."""

from datetime import date, timedelta

import pytest

from jsika.registry.api import _LEVELS, with_criteria
from jsika.registry.models import Household, SchoolStatus
from jsika.registry.queries import SCHOOL_LEVELS, _years_ago, criteria_of

from .factories import make_household, make_person

pytestmark = pytest.mark.django_db
TODAY = date(2026, 2, 28)


def _families():
    """Households on either side of every boundary: age 5 and 60 to the day, each school level, flags."""
    five, sixty = _years_ago(5, TODAY), _years_ago(60, TODAY)
    shapes = [
        [{}],
        [{"pregnant": True, "sex": "P"}],
        [{"disabled": True}],
        [{}, {"birth_date": five}],  # exactly five today: not a toddler
        [{}, {"birth_date": five + timedelta(days=1)}],  # five tomorrow: a toddler
        [{"birth_date": sixty}],  # sixty today: elderly
        [{"birth_date": sixty + timedelta(days=1)}],  # sixty tomorrow: not yet
        *[[{}, {"birth_date": date(2012, 1, 1), "school_status": status}] for status in SCHOOL_LEVELS.values()],
        [{}, {"birth_date": date(2010, 1, 1), "school_status": SchoolStatus.LEFT}],
    ]
    for members in shapes:
        household = make_household()
        for kw in members:
            make_person(household, **kw)
    return shapes


def test_python_flags_equal_the_sql_flags_for_every_boundary(regions):
    shapes = _families()
    annotated = with_criteria(Household.objects.order_by("pk"), TODAY)
    assert len(annotated) == len(shapes)
    names = ["c_hamil", "c_balita", "c_lansia", "c_disabilitas", *(f"c_{level}" for level in _LEVELS)]
    for household in annotated:
        in_python = criteria_of(household.members.all(), TODAY, _LEVELS)
        assert in_python == {name: getattr(household, name) for name in names}, household.pk
    flags = [criteria_of(h.members.all(), TODAY) for h in annotated]
    assert [f["c_balita"] for f in flags[3:5]] == [False, True]
    assert [f["c_lansia"] for f in flags[5:7]] == [True, False]
    assert sum(f["c_hamil"] for f in flags) == 1 and sum(f["c_disabilitas"] for f in flags) == 1
