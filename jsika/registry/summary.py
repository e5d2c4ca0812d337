"""What a household's members add up to, kept on the household row for the criteria search.

The criteria a clerk or a partner filters by (hamil, disabilitas, a child at SD/SMP/SMA/PAUD, a
toddler, an elderly member) are facts about *members*. Searching them member by member meant an
``EXISTS`` per criterion over 4 persons per household: 0.4–0.8 s for a kab/kota at 1M households.
So every household carries three derived columns, never edited by hand and not in its history
(they are not what anyone said about the family, only a sum of what was said about its members):

- ``member_flags``: the bits of :class:`MemberFlag` any member has;
- ``youngest_born`` / ``oldest_born``: the latest and earliest birth date. Age criteria are then
  ``youngest_born > today - 5 years`` and ``oldest_born <= today - 60 years``: nothing to
  recompute when a day passes.

They are rewritten by :func:`refresh`, one set-based statement for any number of households, which
every path that writes persons calls for the households it touched (the importers per batch, the
demo generator per batch, retention) and a signal calls after a single ``Person.save()`` or
``delete()``. ``manage.py refresh_member_summary`` rewrites them all and says how many were stale.
"""

from collections.abc import Iterable, Mapping, Sequence
from enum import IntFlag

from django.db import connection
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Household, Person, SchoolStatus

CHUNK = 10_000


class MemberFlag(IntFlag):
    PREGNANT = 1
    DISABLED = 2
    PAUD = 4
    SD = 8
    SMP = 16
    SMA = 32


SCHOOL_FLAGS = {SchoolStatus.PAUD: MemberFlag.PAUD, SchoolStatus.SD: MemberFlag.SD,
                SchoolStatus.SMP: MemberFlag.SMP, SchoolStatus.SMA: MemberFlag.SMA}


def flags_sql() -> str:
    """The bits of one household's members, as an aggregate over rows with the person's columns
    (``registry_person``, or the import's staging table)."""
    # Per bit a MAX over the members, then the sum: every bit is in one term only, so + is OR.
    parts = [f"MAX(CASE WHEN pregnant THEN {MemberFlag.PREGNANT:d} ELSE 0 END)",
             f"MAX(CASE WHEN disabled THEN {MemberFlag.DISABLED:d} ELSE 0 END)"]
    parts += [f"MAX(CASE school_status WHEN '{status.value}' THEN {flag:d} ELSE 0 END)"
              for status, flag in SCHOOL_FLAGS.items()]
    return " + ".join(parts)


def _statements(where: str) -> list[str]:
    """Rewrite the summary of the households matching ``where`` (SQL on ``registry_household.id``)."""
    house, person = Household._meta.db_table, Person._meta.db_table
    differs = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    return [
        f"""UPDATE {house} SET member_flags = s.flags, youngest_born = s.youngest, oldest_born = s.oldest
FROM (SELECT household_id, {flags_sql()} AS flags, MAX(birth_date) AS youngest, MIN(birth_date) AS oldest
      FROM {person} WHERE household_id IN ({where}) GROUP BY household_id) s
WHERE {house}.id = s.household_id
  AND ({house}.member_flags <> s.flags OR {house}.youngest_born {differs} s.youngest
       OR {house}.oldest_born {differs} s.oldest)""",
        # A household whose last member moved away has nothing to sum.
        f"""UPDATE {house} SET member_flags = 0, youngest_born = NULL, oldest_born = NULL
WHERE id IN ({where}) AND (member_flags <> 0 OR youngest_born IS NOT NULL OR oldest_born IS NOT NULL)
  AND NOT EXISTS (SELECT 1 FROM {person} p WHERE p.household_id = {house}.id)""",
    ]


def refresh_where(where: str, params: Sequence | Mapping = ()) -> int:
    """Rewrite the summary of households whose id is in the SQL subquery ``where`` (its placeholders
    filled from ``params``; it appears once per statement); rows changed."""
    changed = 0
    with connection.cursor() as cursor:
        for sql in _statements(where):
            cursor.execute(sql, params or None)
            changed += max(cursor.rowcount, 0)
    return changed


def refresh(households: QuerySet | Iterable[int] | None = None) -> int:
    """Rewrite the member summary of these households (a queryset, ids, or ``None`` for all); rows changed.

    Set-based: one aggregate ``UPDATE`` per call (per 10,000 ids), whatever the number of members.
    """
    if households is None:
        return refresh_where(f"SELECT id FROM {Household._meta.db_table}")
    if isinstance(households, QuerySet):
        sql, params = households.order_by().values("pk").query.sql_with_params()
        return refresh_where(sql, params)
    ids = sorted({int(pk) for pk in households if pk is not None})
    changed = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        changed += refresh_where(", ".join(str(pk) for pk in chunk))
    return changed


@receiver(post_save, sender=Person, dispatch_uid="registry.summary.saved")
def _person_saved(sender, instance: Person, raw=False, **kwargs):
    """One person saved through the ORM (a form, the admin, a test): its household, and the one it left."""
    if raw:  # loaddata: the fixture's households carry their own values
        return
    refresh([instance.household_id, getattr(instance, "_loaded_household_id", None)])
    instance._loaded_household_id = instance.household_id


@receiver(post_delete, sender=Person, dispatch_uid="registry.summary.deleted")
def _person_deleted(sender, instance: Person, **kwargs):
    refresh([instance.household_id])
