"""Role × scope on the registry pages: each demo account against households in and out of its scope.

Allowed: 200 with the data. Out of scope: 404 on detail, absent from the list (never a hint it exists).
Banks read no registry at all: 403. Anonymous visitors go to the login page.
"""

import pytest
from django.urls import reverse

from .factories import assign_caseload, make_banten_world, make_household, make_person, make_user

pytestmark = pytest.mark.django_db

# username → (role, scope) as in specs/accounts.md
ACCOUNTS = {
    "admin": ("superuser", ""),
    "dinsos.banten": ("manager", "36"),
    "dinsos.cilegon": ("manager", "36.72"),
    "operator.cilegon": ("operator", "36.72"),
    "operator.lebak": ("operator", "36.02"),
    "pendamping.pulomerak": ("facilitator", ""),
    "opd.pendidikan": ("partner", "36"),
    "bank.bjb": ("bank", ""),
    "auditor.inspektorat": ("auditor", "36"),
}
EVERYONE = {"pulomerak", "outside_caseload", "suralaya", "ciwaduk", "lebak"}
CILEGON = {"pulomerak", "outside_caseload", "suralaya", "ciwaduk"}
# The households each account may read; None = the registry is closed to the role (403).
VISIBLE = {
    "admin": EVERYONE,
    "dinsos.banten": EVERYONE,
    "dinsos.cilegon": CILEGON,
    "operator.cilegon": CILEGON,
    "operator.lebak": {"lebak"},
    "pendamping.pulomerak": {"pulomerak"},
    "opd.pendidikan": EVERYONE,
    "bank.bjb": None,
    "auditor.inspektorat": EVERYONE,
}


@pytest.fixture
def world():
    households = make_banten_world()
    # A second Pulomerak family (36.72.03.1001) that is not in the pendamping's caseload.
    other = make_household("36.72.03.1001", desil=3)
    make_person(other, name="Hasanudin Outside")
    households["outside_caseload"] = other
    return households


@pytest.fixture
def users(world):
    users = {name: make_user(name, role, scope) for name, (role, scope) in ACCOUNTS.items()}
    assign_caseload(users["pendamping.pulomerak"], world["pulomerak"])
    return users


def head_name(household) -> str:
    return household.members.get(relation="kepala keluarga").name


@pytest.mark.parametrize("username", list(ACCOUNTS))
def test_household_list_shows_exactly_the_households_in_scope(client, users, world, username):
    client.force_login(users[username])
    response = client.get(reverse("registry:household_list"))
    if users[username].role == "partner":  # agencies read KPM through /mitra/, limited to their sector's fields
        assert response.status_code == 302 and response.url == reverse("partners:home")
        return
    if VISIBLE[username] is None:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    assert {h.pk for h in response.context["page"].object_list} == {world[k].pk for k in VISIBLE[username]}
    html = response.content.decode()
    for key, household in world.items():
        assert (head_name(household) in html) == (key in VISIBLE[username]), key


@pytest.mark.parametrize("username", list(ACCOUNTS))
@pytest.mark.parametrize("key", sorted(EVERYONE))
def test_household_detail_is_200_in_scope_404_outside_403_for_banks(client, users, world, username, key):
    client.force_login(users[username])
    household = world[key]
    response = client.get(reverse("registry:household_detail", args=[household.pk]))
    if users[username].role == "partner":  # the partner page applies the scope and the sector's fields
        assert response.status_code == 302 and response.url == reverse("partners:household", args=[household.pk])
        return
    if VISIBLE[username] is None:
        expected = 403
    else:
        expected = 200 if key in VISIBLE[username] else 404
    assert response.status_code == expected
    html = response.content.decode()
    for person in household.members.all():
        assert (person.name in html) == (expected == 200)
        assert person.nik not in html
    assert household.no_kk not in html


# "Tampilkan NIK" on a Pulomerak member: 200 for full-NIK readers in scope, 403 for roles that may read the
# household but not the full NIK (or no registry at all), 404 outside the scope.
REVEAL_STATUS = {
    "admin": 200, "dinsos.banten": 200, "dinsos.cilegon": 200, "operator.cilegon": 200, "auditor.inspektorat": 200,
    "operator.lebak": 404, "pendamping.pulomerak": 403, "opd.pendidikan": 403, "bank.bjb": 403,
}


@pytest.mark.parametrize("username", list(ACCOUNTS))
def test_full_nik_only_for_manager_operator_auditor_and_superuser_in_scope(client, users, world, username):
    client.force_login(users[username])
    person = world["pulomerak"].members.get(name="Siti Chadidjah")
    response = client.post(reverse("registry:reveal_nik", args=[person.pk]))
    assert response.status_code == REVEAL_STATUS[username]
    assert (person.nik in response.content.decode()) == (REVEAL_STATUS[username] == 200)


@pytest.mark.parametrize("url_name", ["registry:household_list", "core:home"])
def test_anonymous_visitor_is_sent_to_login(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/?next=")


def test_anonymous_visitor_cannot_open_a_household(client, world):
    response = client.get(reverse("registry:household_detail", args=[world["pulomerak"].pk]))
    assert response.status_code == 302
    assert "Ahmad Sujatmiko" not in response.content.decode()


def test_user_without_role_reads_no_registry(client, world):
    client.force_login(make_user("tanpa.peran"))
    assert client.get(reverse("registry:household_list")).status_code == 403
    assert client.get(reverse("registry:household_detail", args=[world["pulomerak"].pk])).status_code == 403


def test_ended_caseload_closes_the_household_to_the_pendamping(client, users, world):
    from django.utils import timezone

    facilitator = users["pendamping.pulomerak"]
    facilitator.caseload.update(ended_at=timezone.now())
    client.force_login(facilitator)
    assert client.get(reverse("registry:household_detail", args=[world["pulomerak"].pk])).status_code == 404
