"""Registry pages: list filters and search, masking, the NIK reveal, the change timeline."""

import pytest
from django.urls import reverse

from jsika.core.models import AccessLog

from .factories import assign_caseload, make_banten_world, make_household, make_person, make_user

pytestmark = pytest.mark.django_db
LIST = reverse("registry:household_list")


@pytest.fixture
def world():
    return make_banten_world()


@pytest.fixture
def manager(client):
    user = make_user("dinsos.banten", "manager", "36")
    client.force_login(user)
    return user


def listed(response) -> set[int]:
    assert response.status_code == 200
    return {h.pk for h in response.context["page"].object_list}


def keys(world, *names) -> set[int]:
    return {world[n].pk for n in names}


# --- list and filters ------------------------------------------------------------------------


def test_list_shows_every_household_in_scope(client, manager, world):
    assert listed(client.get(LIST)) == keys(world, "pulomerak", "suralaya", "ciwaduk", "lebak")


@pytest.mark.parametrize(("params", "expected"), [
    ({"wilayah": "36.72"}, {"pulomerak", "suralaya", "ciwaduk"}),
    ({"wilayah": "36.72.03"}, {"pulomerak", "suralaya"}),
    ({"wilayah": "36.72.03.1002"}, {"suralaya"}),
    ({"desil_max": "2"}, {"pulomerak", "lebak"}),
    ({"hamil": "on"}, {"pulomerak"}),
    ({"balita": "on"}, {"pulomerak"}),
    ({"lansia": "on"}, {"suralaya"}),
    ({"disabilitas": "on"}, {"suralaya"}),
    ({"anak_sekolah": "sd"}, {"ciwaduk", "lebak"}),
    ({"anak_sekolah": "smp"}, {"ciwaduk"}),
    ({"anak_sekolah": "sma"}, {"pulomerak"}),
    ({"wilayah": "36.72", "anak_sekolah": "sd", "desil_max": "4"}, {"ciwaduk"}),
])
def test_list_filters_narrow_the_households(client, manager, world, params, expected):
    assert listed(client.get(LIST, params)) == keys(world, *expected)


@pytest.mark.parametrize("query", ["Siti Hadijah", "siti chadidjah", "Achmad Soedjatmiko", "Sudjatmiko"])
def test_search_finds_a_name_whatever_its_spelling(client, manager, world, query):
    assert listed(client.get(LIST, {"q": query})) == keys(world, "pulomerak")


def test_search_by_full_nik_and_by_no_kk(client, manager, world):
    nik = world["ciwaduk"].members.get(name="Bayu Saputra").nik
    assert listed(client.get(LIST, {"q": nik})) == keys(world, "ciwaduk")
    assert listed(client.get(LIST, {"q": world["lebak"].no_kk})) == keys(world, "lebak")


def test_malformed_filters_are_ignored_not_an_error(client, manager, world):
    response = client.get(LIST, {"wilayah": "abc'; drop", "desil_max": "99", "anak_sekolah": "kuliah"})
    assert listed(response) == keys(world, "pulomerak", "suralaya", "ciwaduk", "lebak")


def test_wilayah_select_offers_the_regions_under_the_scope(client, world):
    client.force_login(make_user("dinsos.cilegon", "manager", "36.72"))
    html = client.get(LIST).content.decode()
    assert 'value="36.72.03"' in html and 'value="36.72.01"' in html
    assert 'value="36.02"' not in html


def test_list_masks_nik_and_no_kk(client, manager, world):
    html = client.get(LIST).content.decode()
    for household in world.values():
        assert household.no_kk not in html
        assert household.no_kk[:4] + "********" + household.no_kk[-4:] in html
        for person in household.members.all():
            assert person.nik not in html
    head = world["pulomerak"].members.get(name="Ahmad Sujatmiko")
    assert head.nik[:4] + "********" + head.nik[-4:] in html
    assert "Ahmad Sujatmiko" in html


def test_list_shows_criteria_badges(client, manager, world):
    response = client.get(LIST, {"wilayah": "36.72.03.1001"})
    html = response.content.decode()
    assert "crit-hamil" in html and "crit-balita" in html and ">SMA<" in html
    assert "crit-lansia" not in html


def test_htmx_request_gets_only_the_results_table(client, manager, world):
    response = client.get(LIST, {"hamil": "on"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="household-filter"' not in html
    assert "Ahmad Sujatmiko" in html and "Bayu Saputra" not in html


def test_list_pages_by_25(client, manager):
    for _ in range(30):
        make_person(make_household("36.72.03.1001"))
    first, second = client.get(LIST), client.get(LIST, {"page": 2})
    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 5
    assert "?page=2" in first.content.decode()


def test_list_requires_login(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/")


# --- detail ----------------------------------------------------------------------------------


def test_detail_shows_address_regions_members_and_criteria(client, manager, world):
    household = world["pulomerak"]
    response = client.get(reverse("registry:household_detail", args=[household.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Jl. Raya Merak No. 12" in html
    assert "Tamansari" in html and "Pulomerak" in html and "Banten" in html
    for name in ("Ahmad Sujatmiko", "Siti Chadidjah", "Rizky Pratama", "Nur Aini"):
        assert name in html
    assert html.index("Ahmad Sujatmiko") < html.index("Siti Chadidjah") < html.index("Rizky Pratama")
    assert response.context["criteria"] == {"hamil": 1, "balita": 1, "lansia": 0, "disabilitas": 0,
                                            "sd": 0, "smp": 0, "sma": 1, "nik_mismatch": 0}
    for person in household.members.all():
        assert person.nik not in html


def reveal(client, person):
    return client.post(reverse("registry:reveal_nik", args=[person.pk]), headers={"HX-Request": "true"})


def test_reveal_nik_returns_the_full_nik_and_logs_the_view(client, manager, world):
    person = world["pulomerak"].members.get(name="Siti Chadidjah")
    response = reveal(client, person)
    assert response.status_code == 200
    assert person.nik in response.content.decode()
    log = AccessLog.objects.get()
    assert (log.user, log.action, log.object_type, log.object_id) == (manager, "view_nik", "person", str(person.pk))


def test_reveal_nik_button_is_shown_only_to_full_nik_readers(client, world):
    url = reverse("registry:household_detail", args=[world["pulomerak"].pk])
    client.force_login(make_user("auditor.inspektorat", "auditor", "36"))
    assert "Tampilkan NIK" in client.get(url).content.decode()
    client.force_login(make_user("opd.kesehatan", "partner", "36"))
    assert "Tampilkan NIK" not in client.get(url).content.decode()


@pytest.mark.parametrize("role", ["facilitator", "partner"])
def test_reveal_nik_is_forbidden_to_facilitator_and_partner(client, world, role):
    user = make_user(f"user.{role}", role, "36" if role == "partner" else "")
    if role == "facilitator":
        assign_caseload(user, world["pulomerak"])
    client.force_login(user)
    person = world["pulomerak"].members.get(name="Siti Chadidjah")
    response = reveal(client, person)
    assert response.status_code == 403
    assert person.nik not in response.content.decode()
    assert not AccessLog.objects.filter(action="view_nik").exists()


def test_reveal_nik_outside_scope_is_404_and_not_logged(client, world):
    client.force_login(make_user("operator.lebak", "operator", "36.02"))
    response = reveal(client, world["pulomerak"].members.first())
    assert response.status_code == 404
    assert not AccessLog.objects.exists()


def test_reveal_nik_needs_post(client, manager, world):
    response = client.get(reverse("registry:reveal_nik", args=[world["pulomerak"].members.first().pk]))
    assert response.status_code == 405
    assert not AccessLog.objects.exists()


def test_partner_is_sent_to_the_partner_pages_that_show_only_its_sectors_fields(client, world):
    partner = make_user("opd.pendidikan", "partner", "36")
    client.force_login(partner)
    response = client.get(reverse("registry:household_detail", args=[world["ciwaduk"].pk]))
    assert response.status_code == 302 and response.url == reverse("partners:household", args=[world["ciwaduk"].pk])
    assert client.get(LIST).url == reverse("partners:home")


# --- timeline --------------------------------------------------------------------------------


def test_timeline_shows_who_changed_what_from_and_to(client, manager, world):
    operator = make_user("operator.cilegon", "operator", "36.72")
    person = world["pulomerak"].members.get(name="Rizky Pratama")
    person.school_status = "tidak sekolah lagi"
    person.occupation = "Nelayan"
    person._history_user = operator
    person.save()
    household = world["pulomerak"]
    household.desil = 3
    household._history_user = operator
    household.save()

    html = client.get(reverse("registry:household_detail", args=[household.pk])).content.decode()
    timeline = html[html.index('id="timeline"'):]
    assert "operator.cilegon" in timeline
    assert "Rizky Pratama" in timeline
    assert '<span class="tl-old">SMA/SMK</span> → <span class="tl-new">Tidak sekolah lagi</span>' in timeline
    assert '<span class="tl-old">—</span> → <span class="tl-new">Nelayan</span>' in timeline
    assert '<span class="tl-old">2</span> → <span class="tl-new">3</span>' in timeline
    assert "ditambahkan" in timeline  # the members' creation is there too


def test_timeline_masks_a_changed_nik(client, manager, world):
    person = world["lebak"].members.get(name="Ujang Supriatna")
    old_nik = person.nik
    person.nik = old_nik[:-4] + "0999"
    person.save()
    html = client.get(reverse("registry:household_detail", args=[world["lebak"].pk])).content.decode()
    assert old_nik not in html and person.nik not in html
    assert old_nik[:4] + "********" + old_nik[-4:] in html


def test_auditor_reads_the_timeline_but_has_no_write_buttons(client, world):
    client.force_login(make_user("auditor.inspektorat", "auditor", "36"))
    detail = client.get(reverse("registry:household_detail", args=[world["pulomerak"].pk])).content.decode()
    assert 'id="timeline"' in detail
    listing = client.get(LIST).content.decode()
    assert "Impor data" not in listing
    for html in (detail, listing):
        assert 'method="post"' not in html.replace('action="/i18n/setlang/" method="post"', "").replace(
            'method="post" action="/keluar/"', "")


@pytest.mark.parametrize(("username", "role", "scope"), [
    ("pendamping.pulomerak", "facilitator", ""),
])
def test_facilitator_does_not_see_the_timeline(client, world, username, role, scope):
    user = make_user(username, role, scope)
    assign_caseload(user, world["pulomerak"])
    client.force_login(user)
    html = client.get(reverse("registry:household_detail", args=[world["pulomerak"].pk])).content.decode()
    assert "Ahmad Sujatmiko" in html
    assert 'id="timeline"' not in html


def test_export_button_only_for_roles_that_may_export_and_keeps_the_region(client, world):
    facilitator = make_user("pendamping.pulomerak", "facilitator")
    assign_caseload(facilitator, world["pulomerak"])
    client.force_login(facilitator)
    assert "/registry/ekspor/" not in client.get(LIST).content.decode()
    client.force_login(make_user("auditor.inspektorat", "auditor", "36"))
    assert 'href="/registry/ekspor/?wilayah=36.72.03"' in client.get(LIST, {"wilayah": "36.72.03"}).content.decode()


def test_facilitator_region_choices_come_from_the_caseload(client, world):
    facilitator = make_user("pendamping.pulomerak", "facilitator")
    assign_caseload(facilitator, world["pulomerak"])
    client.force_login(facilitator)
    html = client.get(LIST).content.decode()
    assert 'value="36.72.03.1001"' in html and 'value="36.72.03"' in html
    assert 'value="36.72.01' not in html and 'value="36.02' not in html


def test_detail_loads_the_programs_of_the_family_and_shows_payments_to_staff(client, manager, world):
    household = world["pulomerak"]
    html = client.get(reverse("registry:household_detail", args=[household.pk])).content.decode()
    assert f'hx-get="{reverse("programs:household_programs", args=[household.pk])}"' in html
    assert 'id="household-payments"' in html
    partial = client.get(reverse("programs:household_programs", args=[household.pk]), headers={"HX-Request": "true"})
    assert partial.status_code == 200

