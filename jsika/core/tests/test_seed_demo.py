"""seed_demo and demo_logins: the accounts of specs/accounts.md, synthetic families, a caseload."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.test import override_settings

from jsika.fieldwork.models import CaseloadAssignment
from jsika.regions.models import Region
from jsika.registry.models import Household, Person
from jsika.registry.names import name_key
from jsika.registry.queries import households_for

PASSWORD = "demo-jsika-2026"
# specs/accounts.md: username → (role, scope)
SPEC_ACCOUNTS = {
    "dinsos.banten": ("manager", "36"),
    "dinsos.cilegon": ("manager", "36.72"),
    "operator.cilegon": ("operator", "36.72"),
    "operator.lebak": ("operator", "36.02"),
    "pendamping.pulomerak": ("facilitator", "36.72.03"),
    "opd.pendidikan": ("partner", "36"),
    "opd.kesehatan": ("partner", "36"),
    "bank.bjb": ("bank", ""),
    "bank.bri": ("bank", ""),
    "auditor.inspektorat": ("auditor", "36"),
}

pytestmark = pytest.mark.django_db


@pytest.fixture
def banten(regions):
    """Banten's official regions (loaded once per test database by jsika/conftest.py)."""
    return regions


def seed(*args, families=60):
    out = StringIO()
    call_command("seed_demo", "--force", "--families", str(families), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_refuses_without_debug_unless_forced(banten, capsys):
    with pytest.raises(CommandError, match="DEBUG mati.*--force"):
        call_command("seed_demo", stdout=StringIO())
    assert not get_user_model().objects.exists()
    with pytest.raises(SystemExit) as exit_:
        ManagementUtility(["manage.py", "seed_demo"]).execute()
    assert exit_.value.code != 0
    assert "--force" in capsys.readouterr().err


@override_settings(DEBUG=True)
def test_runs_without_force_when_debug_is_on(banten):
    call_command("seed_demo", "--families", "20", stdout=StringIO(), stderr=StringIO())
    assert Household.objects.count() >= 15


def test_refuses_before_regions_are_loaded(banten):
    Region.objects.filter(code__startswith="36.72.03.").delete()  # villages first: parents are protected
    Region.objects.filter(code="36.72.03").delete()
    with pytest.raises(CommandError, match="load_regions"):
        seed()


def test_creates_the_demo_accounts_of_the_spec(banten):
    seed()
    users = {u.username: u for u in get_user_model().objects.all()}
    assert set(SPEC_ACCOUNTS) | {"admin"} <= set(users)
    extra = set(users) - set(SPEC_ACCOUNTS) - {"admin"}  # later steps add pendamping of other kecamatan
    assert all(users[name].role == "facilitator" and not users[name].is_superuser for name in extra), extra
    assert users["admin"].is_superuser and users["admin"].check_password(PASSWORD)
    for username, (role, scope) in SPEC_ACCOUNTS.items():
        user = users[username]
        assert (user.role, user.scope) == (role, scope), username
        assert not user.is_superuser
        assert user.check_password(PASSWORD), username
    assert (users["bank.bjb"].bank_code, users["bank.bri"].bank_code) == ("BJB", "BRI")
    assert "BJB" in users["bank.bjb"].organization and "BRI" in users["bank.bri"].organization
    assert (users["opd.pendidikan"].sector, users["opd.kesehatan"].sector) == ("pendidikan", "kesehatan")


def test_families_are_in_banten_cilegon_above_all_with_history(banten):
    seed(families=450)
    households = Household.objects.count()
    assert 440 <= households <= 470
    cilegon = Household.objects.filter(region__code__startswith="36.72.").count()
    assert cilegon / households > 0.6
    assert Household.objects.filter(region__code__startswith="36.72.03.").count() >= 26
    regencies = {code[:5] for code in Household.objects.values_list("region_id", flat=True)}
    assert {"36.01", "36.02", "36.03", "36.04", "36.72", "36.73"} <= regencies
    assert Person.objects.filter(relation="kepala keluarga").count() == households
    person = Person.objects.order_by("?").first()
    assert person.name_key == name_key(person.name)
    record = person.history.get()
    assert (record.history_type, record.history_user.username, record.history_change_reason) == (
        "+", "admin", "seed_demo")
    assert Household.history.filter(history_type="+").count() == households
    assert Person.history.count() == Person.objects.count()


def test_rerun_changes_nothing_and_says_so(banten):
    seed()
    counts = (get_user_model().objects.count(), Household.objects.count(), Person.objects.count(),
              CaseloadAssignment.objects.count(), Person.history.count(), get_user_model().history.count())
    out = seed()
    assert "dilewati" in out
    assert counts == (get_user_model().objects.count(), Household.objects.count(), Person.objects.count(),
                      CaseloadAssignment.objects.count(), Person.history.count(), get_user_model().history.count())


def test_rerun_resets_a_changed_demo_account(banten):
    seed()
    user = get_user_model().objects.get(username="operator.cilegon")
    user.scope = "36"
    user.set_password("something-else-entirely")
    user.save()
    seed()
    user.refresh_from_db()
    assert user.scope == "36.72" and user.check_password(PASSWORD)


def test_pendamping_pulomerak_gets_a_caseload_of_about_200_households(banten):
    seed(families=2200)
    pendamping = get_user_model().objects.get(username="pendamping.pulomerak")
    caseload = CaseloadAssignment.objects.filter(facilitator=pendamping, ended_at__isnull=True)
    assert caseload.count() == 200
    assert all(code.startswith("36.72.03.") for code in caseload.values_list("household__region_id", flat=True))
    assert households_for(pendamping).count() == 200


def test_demo_logins_prints_every_account_and_the_login_page(banten):
    seed()
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    for username in ["admin", *SPEC_ACCOUNTS]:
        assert username in text
    assert text.count(PASSWORD) == len(SPEC_ACCOUNTS) + 1
    assert "http://127.0.0.1:8000/masuk/" in text
    assert "Belum ada" not in text
