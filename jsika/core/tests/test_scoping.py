"""`region_q`: a scope is its own code and everything below it, never a neighbour sharing digits."""

import pytest

from jsika.core.scoping import region_q
from jsika.regions.models import Region
from jsika.registry.models import Household
from jsika.registry.tests.factories import make_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def homes(regions):
    # Kota Cilegon (36.72) beside Kota Serang (36.73) and Kota Tangerang (36.71).
    desa = {code: Region.objects.filter(code__startswith=code + ".", level=4).order_by("code").first().code
            for code in ("36.71", "36.72", "36.73")}
    return {code: make_household(region_code=village) for code, village in desa.items()}


@pytest.mark.parametrize("scope, expected", [
    ("36", {"36.71", "36.72", "36.73"}),
    ("36.72", {"36.72"}),
    ("36.7", set()),  # not a region code: matches nothing rather than three kab/kota
    ("36.72.", set()),
    ("", set()),
])
def test_region_q_matches_the_code_and_below_only(homes, scope, expected):
    found = set(Household.objects.filter(region_q("region_id", scope)).values_list("pk", flat=True))
    assert found == {homes[code].pk for code in expected}


def test_region_q_on_a_desa_code_matches_that_desa(homes):
    village = homes["36.72"].region_id
    found = list(Household.objects.filter(region_q("region_id", village)).values_list("pk", flat=True))
    assert found == [homes["36.72"].pk]
