"""Reads of the registry used by pages, the API and exports; each starts from the scoping function."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.lookups import Exact

from jsika.core.scoping import region_q, scope_queryset

from .models import Household, Person, SchoolStatus
from .names import name_key
from .summary import SCHOOL_FLAGS, MemberFlag

SCHOOL_LEVELS = {"sd": SchoolStatus.SD, "smp": SchoolStatus.SMP, "sma": SchoolStatus.SMA, "paud": SchoolStatus.PAUD}


def households_for(user) -> QuerySet[Household]:
    """Households ``user`` may read (region scope, or a pendamping's caseload)."""
    return scope_queryset(Household.objects.all(), user)


def persons_for(user) -> QuerySet[Person]:
    """Persons ``user`` may read."""
    return scope_queryset(Person.objects.all(), user)


def _years_ago(years: int, today: date) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def members_where(**conditions) -> Exists:
    return Exists(Person.objects.filter(household=OuterRef("pk"), **conditions))


def _has(flag: MemberFlag) -> Q:
    """A member with ``flag``, read from the household's member summary (registry.summary)."""
    return Q(Exact(F("member_flags").bitand(int(flag)), int(flag)))


def pregnant_q() -> Q:
    return _has(MemberFlag.PREGNANT)


def toddler_q(today: date) -> Q:
    """A member under five."""
    return Q(youngest_born__isnull=False, youngest_born__gt=_years_ago(5, today))  # false, not null, if none


def elderly_q(today: date) -> Q:
    """A member aged sixty or more."""
    return Q(oldest_born__isnull=False, oldest_born__lte=_years_ago(60, today))


def disability_q() -> Q:
    return _has(MemberFlag.DISABLED)


def school_q(level: str) -> Q:
    return _has(SCHOOL_FLAGS[SCHOOL_LEVELS[level]])


def criteria_of(members: Iterable[Person], today: date, levels: Iterable[str] = SCHOOL_LEVELS) -> dict[str, bool]:
    """One household's criteria flags (``c_hamil`` …, ``c_sd`` …) from its members already in memory.

    The same conditions as the ``*_q`` filters above, which read the stored member summary (a test
    holds them equal), for a page that has the members in hand.
    """
    members = list(members)
    toddler_born_after, elderly_born_by = _years_ago(5, today), _years_ago(60, today)
    flags = {
        "c_hamil": any(m.pregnant for m in members),
        "c_balita": any(m.birth_date > toddler_born_after for m in members),
        "c_lansia": any(m.birth_date <= elderly_born_by for m in members),
        "c_disabilitas": any(m.disabled for m in members),
    }
    for level in levels:
        flags[f"c_{level}"] = any(m.school_status == SCHOOL_LEVELS[level] for m in members)
    return flags


@dataclass
class HouseholdFilter:
    """The criteria a clerk or a partner filters households by (all optional)."""

    wilayah: str = ""
    q: str = ""
    hamil: bool | None = None
    balita: bool | None = None
    lansia: bool | None = None
    disabilitas: bool | None = None
    anak_sekolah: str = ""  # sd, smp, sma, paud
    desil_max: int | None = None

    def apply(self, qs: QuerySet[Household], today: date | None = None) -> QuerySet[Household]:
        today = today or date.today()
        if self.wilayah:
            qs = qs.filter(region_q("region_id", self.wilayah))
        if self.desil_max:
            qs = qs.filter(desil__lte=self.desil_max)
        for flag, condition in (
            (self.hamil, pregnant_q()), (self.balita, toddler_q(today)),
            (self.lansia, elderly_q(today)), (self.disabilitas, disability_q()),
        ):
            if flag is True:
                qs = qs.filter(condition)
            elif flag is False:
                qs = qs.exclude(condition)
        if self.anak_sekolah:
            qs = qs.filter(school_q(self.anak_sekolah))
        if self.q:
            qs = qs.filter(search_q(self.q))
        return qs


def search_q(text: str) -> Q:
    """NIK or No. KK (exact, 16 digits), a No. KK/NIK prefix, or a name tolerant of spelling variants."""
    text = text.strip()
    digits = text.replace(" ", "")
    if digits.isdigit():
        if len(digits) == 16:
            return Q(no_kk=digits) | Q(members_where(nik=digits))
        return Q(no_kk__startswith=digits)
    key = name_key(text)
    condition = Q()
    for word in key.split():
        condition &= Q(members_where(name_key__contains=word))
    return condition
