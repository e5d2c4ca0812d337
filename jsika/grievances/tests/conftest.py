import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters, challenge nonces and cached figures live in the cache: start every test clean."""
    cache.clear()
    yield
    cache.clear()
