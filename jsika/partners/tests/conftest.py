import pytest
from django.core.cache import cache

from .factories import partner_world


@pytest.fixture
def world(regions):
    return partner_world()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Each test starts with empty per-token counters (the cache outlives a test's database)."""
    cache.clear()
    yield
    cache.clear()
