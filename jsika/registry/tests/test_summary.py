"""The member summary on each household (registry.summary) stays what its members add up to.

The criteria search, the dashboard's figures and the reports read these columns instead of the
members, so every path that writes persons is checked here: a stale summary would be a family
wrongly counted as having a pregnant member, or missed.
"""

from datetime import date

import pytest
from django.db import connection, transaction

from jsika.registry import importer, summary
from jsika.registry.models import Household, Person, SchoolStatus
from jsika.registry.queries import SCHOOL_LEVELS, disability_q, members_where, pregnant_q, school_q
from jsika.registry.services import import_family_file
from jsika.registry.summary import MemberFlag

from .factories import make_household, make_person, make_user
from .test_import import family, nik, person_row, write_csv

pytestmark = pytest.mark.django_db
ON_POSTGRES = connection.vendor == "postgresql"


def summary_of(household: Household) -> tuple[int, date | None, date | None]:
    household.refresh_from_db(fields=["member_flags", "youngest_born", "oldest_born"])
    return household.member_flags, household.youngest_born, household.oldest_born


def assert_nothing_stale():
    """A full rewrite finds nothing to change: every path kept the summary itself."""
    assert summary.refresh() == 0


def test_saving_moving_and_deleting_a_person_through_the_orm_keeps_both_households_right(regions):
    home, other = make_household(), make_household()
    assert summary_of(home) == (0, None, None)
    mother = make_person(home, sex="P", birth_date=date(1990, 1, 2), pregnant=True)
    child = make_person(home, birth_date=date(2015, 3, 4), school_status=SchoolStatus.SD)
    assert summary_of(home) == (MemberFlag.PREGNANT | MemberFlag.SD, date(2015, 3, 4), date(1990, 1, 2))

    child = Person.objects.get(pk=child.pk)  # as a form would load it
    child.household = other
    child.save()
    assert summary_of(home) == (MemberFlag.PREGNANT, date(1990, 1, 2), date(1990, 1, 2))
    assert summary_of(other) == (MemberFlag.SD, date(2015, 3, 4), date(2015, 3, 4))

    mother.pregnant = False
    mother.save()
    assert summary_of(home)[0] == 0
    Person.objects.filter(pk=mother.pk).delete()  # a queryset delete sends post_delete per row too
    assert summary_of(home) == (0, None, None)
    assert_nothing_stale()


ENGINES = ["python", *(["sql"] if ON_POSTGRES else [])]


@pytest.mark.parametrize("engine", ENGINES)
def test_an_import_that_changes_and_moves_members_updates_every_household_it_touched(
        engine, regions, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "ENGINE", engine)
    operator = make_user("op.cilegon", "operator", scope="36.72")

    def run(rows, name):
        report, _ = import_family_file(path=write_csv(tmp_path / name, rows), by=operator,
                                       rejects_path=tmp_path / f"{name}.rejects.csv")
        assert report.rows_rejected == 0
        return report

    run(family() + family("3672030101200002", 2), "first.csv")
    first = Household.objects.get(no_kk="3672030101200001")
    # father 1980-05-17, pregnant wife 1984-02-03, child 2012-08-09 at SMP
    assert summary_of(first) == (MemberFlag.PREGNANT | MemberFlag.SMP, date(2012, 8, 9), date(1980, 5, 17))

    # The child moves up to SMA; the wife leaves to head a KK of her own.
    wife, child = family()[1], family()[2]
    moved = run([
        {**family()[0]}, {**child, "status_sekolah": "sma"},
        person_row(no_kk="3672030101200003", nik=wife["nik"], nama=wife["nama"], jenis_kelamin="P",
                   tanggal_lahir=wife["tanggal_lahir"], hubungan="kepala keluarga", hamil="tidak",
                   kode_wilayah=wife["kode_wilayah"]),
    ], "second.csv")
    assert moved.persons_moved == 1
    assert summary_of(first) == (MemberFlag.SMA, date(2012, 8, 9), date(1980, 5, 17))
    assert summary_of(Household.objects.get(no_kk="3672030101200003")) == (0, date(1984, 2, 3), date(1984, 2, 3))
    assert Person.objects.get(nik=nik("L", date(2012, 8, 9), 1)).school_status == "sma"
    assert_nothing_stale()


@pytest.mark.skipif(not ON_POSTGRES, reason="the SQL import engine runs on PostgreSQL only")
def test_the_sql_import_writes_a_new_households_summary_with_the_household(regions, tmp_path, monkeypatch):
    """New households are left out of the refresh after the persons: their INSERT alone must be right."""
    monkeypatch.setattr(importer, "ENGINE", "sql")
    refreshed = []
    refresh = summary.refresh

    def watched(households=None):
        refreshed.extend(households or ())
        return refresh(households)

    monkeypatch.setattr(summary, "refresh", watched)
    operator = make_user("op.cilegon", "operator", scope="36.72")
    report, _ = import_family_file(path=write_csv(tmp_path / "f.csv", family() + family("3672030101200002", 2)),
                                   by=operator, rejects_path=tmp_path / "r.csv")
    assert report.households_created == 2
    assert refreshed == []
    first = Household.objects.get(no_kk="3672030101200001")
    assert summary_of(first) == (MemberFlag.PREGNANT | MemberFlag.SMP, date(2012, 8, 9), date(1980, 5, 17))
    assert_nothing_stale()


def test_a_dry_run_leaves_the_summary_as_it_was(regions, tmp_path):
    operator = make_user("op.cilegon", "operator", scope="36.72")
    path = write_csv(tmp_path / "f.csv", family())
    import_family_file(path=path, by=operator, dry_run=True, rejects_path=tmp_path / "r.csv")
    assert not Household.objects.exists()
    assert_nothing_stale()


def test_generated_families_get_the_summary_their_members_give(regions):
    """The demo's bulk paths; and each stored criterion picks the households an EXISTS over members picks."""
    from jsika.registry.synthetic import copy_families, generate_families, insert_families

    admin = make_user("admin", "superuser")
    families = list(generate_families({"36.72.03": 60, "36.02": 40}, seed=3, as_of=date(2026, 7, 1)))
    with transaction.atomic():
        insert_families(families[:50], by=admin, batch_size=20)
    if ON_POSTGRES:
        copy_families(families[50:], by=admin, batch_size=20)
    else:
        with transaction.atomic():
            insert_families(families[50:], by=admin, batch_size=20)
    assert_nothing_stale()

    stored_and_exists = [(pregnant_q(), {"pregnant": True}), (disability_q(), {"disabled": True}),
                         *((school_q(level), {"school_status": status}) for level, status in SCHOOL_LEVELS.items())]
    for stored, by_members in stored_and_exists:
        assert (set(Household.objects.filter(stored).values_list("pk", flat=True))
                == set(Household.objects.filter(members_where(**by_members)).values_list("pk", flat=True))), by_members
    assert Household.objects.filter(member_flags__gt=0).exists()


def test_a_full_refresh_repairs_a_summary_written_behind_its_back(regions):
    household = make_household()
    make_person(household, sex="P", pregnant=True, birth_date=date(1995, 5, 5))
    Household.objects.filter(pk=household.pk).update(member_flags=0, youngest_born=None)  # as a raw write would
    assert summary.refresh() == 1
    assert summary_of(household) == (MemberFlag.PREGNANT, date(1995, 5, 5), date(1995, 5, 5))


def test_the_repair_command_says_how_many_it_fixed(regions):
    from io import StringIO

    from django.core.management import call_command

    household = make_household()
    make_person(household, disabled=True)
    Household.objects.filter(pk=household.pk).update(member_flags=0)
    out = StringIO()
    call_command("refresh_member_summary", stdout=out)
    assert "1 keluarga diperbaiki" in out.getvalue()
    assert summary_of(household)[0] == MemberFlag.DISABLED
    call_command("refresh_member_summary", stdout=out)
    assert "sudah sesuai" in out.getvalue()
