"""Reads of the partner views, the API, the DCI search and the exports; each starts from the scoping function.

- ``partner_persons(user)``: members of households in ``user``'s scope (``registry.queries.persons_for``),
  with the stunting-risk flag from field visits; ``PersonCriteria`` narrows them.
- ``interventions_for(user)`` / ``referrals_for(user)``: region scope (a pendamping: caseload); a partner
  sees only its own agency's — another agency's services would reveal fields its sector may not read.
"""

from dataclasses import asdict, dataclass, fields
from datetime import date, timedelta

from django.apps import apps
from django.conf import settings
from django.db.models import CharField, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Substr
from django.utils import timezone

from jsika.core.roles import Role
from jsika.core.scoping import region_q, scope_queryset
from jsika.programs.models import Enrollment, EnrollmentStatus
from jsika.registry.models import Person, SchoolStatus
from jsika.registry.names import name_key
from jsika.registry.queries import persons_for

from .fields import PartnerFields
from .models import PENDING_STATUSES, Agency, Intervention, Membership, Referral, SavedSearch
from .sectors import InterventionKind

# A household is a KPM while one of its enrollments is in these statuses.
KPM_STATUSES = (EnrollmentStatus.ACTIVE, EnrollmentStatus.SUSPENDED)
STUNTING_PROBLEM = "risiko_stunting"
STUNTING_LOOKBACK_DAYS = 365
SCHOOL_LEVELS = {"belum": SchoolStatus.NOT_YET, "paud": SchoolStatus.PAUD, "sd": SchoolStatus.SD,
                 "smp": SchoolStatus.SMP, "sma": SchoolStatus.SMA, "tidak": SchoolStatus.LEFT}
COMPULSORY_SCHOOL_AGES = (7, 18)  # wajib belajar 12 tahun


# --- who the partner is -----------------------------------------------------------------------

def membership_of(user) -> Membership | None:
    """The user's agency membership (cached on the user object for the request)."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_partner_membership_cache"):
        user._partner_membership_cache = (Membership.objects.select_related("agency", "agency__region")
                                          .filter(user=user, agency__is_active=True).first())
    return user._partner_membership_cache


def agency_of(user) -> Agency | None:
    membership = membership_of(user)
    return membership.agency if membership else None


def sector_of(user) -> str:
    """The sector whose fields ``user`` reads: its agency's, else the sector on the account."""
    agency = agency_of(user)
    return agency.sector if agency else (getattr(user, "sector", "") or "")


def agencies_visible() -> QuerySet[Agency]:
    """Agencies are not personal data: everyone logged in may list them (to refer, to filter)."""
    return Agency.objects.filter(is_active=True).select_related("region")


# --- persons ---------------------------------------------------------------------------------

def years_ago(years: int, today: date) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def kpm_q(program: str = "") -> Q:
    """The person's household is a KPM (of ``program`` when given)."""
    enrollments = Enrollment.objects.filter(household=OuterRef("household_id"), status__in=KPM_STATUSES)
    if program:
        enrollments = enrollments.filter(program__code=program)
    return Q(Exists(enrollments))


def stunting_household_q(today: date, path: str = "household_id") -> Q:
    """The household was flagged 'risiko stunting' at a home visit in the last year (fieldwork's Visit)."""
    try:
        visit = apps.get_model("fieldwork", "Visit")
    except LookupError:
        return Q(pk__in=[])
    flagged = (visit.objects.filter(household=OuterRef(path),
                                    visited_on__gte=today - timedelta(days=STUNTING_LOOKBACK_DAYS))
               .annotate(problems_text=Cast("problems", CharField()))
               .filter(problems_text__contains=f'"{STUNTING_PROBLEM}"'))
    return Q(Exists(flagged))


def stunting_q(today: date) -> Q:
    """A toddler (under five) in a household flagged at risk of stunting."""
    return Q(birth_date__gt=years_ago(5, today)) & stunting_household_q(today)


def partner_persons(user, *, today: date | None = None, with_stunting: bool = True) -> QuerySet[Person]:
    """Members of households ``user`` may read, with ``stunting_risk`` annotated."""
    today = today or timezone.localdate()
    qs = persons_for(user).select_related("household__region")
    if with_stunting:
        qs = qs.annotate(stunting_risk=stunting_q(today))
    else:
        qs = qs.annotate(stunting_risk=Value(False))
    return qs


def with_household_size(qs: QuerySet[Person]) -> QuerySet[Person]:
    """Annotate ``household_size``: the number of members of each person's household (one subquery)."""
    members = (Person.objects.filter(household=OuterRef("household_id")).order_by().values("household")
               .annotate(n=Count("pk")).values("n"))
    return qs.annotate(household_size=Coalesce(Subquery(members, output_field=IntegerField()), 0))


def attach_household_size(person: Person) -> Person:
    """Copy the annotated size onto the household object, where ``household_values`` reads it."""
    if hasattr(person, "household_size"):
        person.household.member_count = person.household_size
    return person


@dataclass
class PersonCriteria:
    """What a partner searches persons by; every field optional, combined with AND.

    ``lulus_smp``: SMP pupils at least 14 by 30 June this year (grade 9 by age: candidates for the
    SMA/SMK places reserved for KPM). ``putus_sekolah``: 'tidak sekolah lagi' at compulsory school age (7–18).
    """

    wilayah: str = ""
    kpm: bool = True
    program: str = ""
    q: str = ""
    umur_min: int | None = None
    umur_max: int | None = None
    sekolah: str = ""
    putus_sekolah: bool = False
    lulus_smp: bool = False
    hamil: bool = False
    balita: bool = False
    lansia: bool = False
    disabilitas: bool = False
    stunting: bool = False
    desil_max: int | None = None

    @classmethod
    def from_dict(cls, data: dict) -> "PersonCriteria":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (data or {}).items() if k in known})

    def as_dict(self) -> dict:
        """Only what differs from the defaults (what a saved search and the access log keep)."""
        default = PersonCriteria()
        return {k: v for k, v in asdict(self).items() if v != getattr(default, k)}

    def used(self) -> list[str]:
        return list(self.as_dict())

    def disallowed(self, allowed: PartnerFields) -> list[str]:
        """The criteria in use that read a field ``allowed`` does not include."""
        return [name for name in self.used() if not allowed.allows_criterion(name)]

    def apply(self, qs: QuerySet[Person], today: date) -> QuerySet[Person]:
        if self.wilayah:
            qs = qs.filter(region_q("household__region_id", self.wilayah))
        if self.kpm or self.program:
            qs = qs.filter(kpm_q(self.program))
        if self.q:
            qs = qs.filter(person_search_q(self.q))
        if self.umur_min is not None:
            qs = qs.filter(birth_date__lte=years_ago(self.umur_min, today))
        if self.umur_max is not None:
            qs = qs.filter(birth_date__gt=years_ago(self.umur_max + 1, today))
        if self.sekolah:
            qs = qs.filter(school_status=SCHOOL_LEVELS.get(self.sekolah, self.sekolah))
        if self.putus_sekolah:
            low, high = COMPULSORY_SCHOOL_AGES
            qs = qs.filter(school_status=SchoolStatus.LEFT, birth_date__lte=years_ago(low, today),
                           birth_date__gt=years_ago(high + 1, today))
        if self.lulus_smp:
            qs = qs.filter(school_status=SchoolStatus.SMP, birth_date__lte=date(today.year - 14, 6, 30))
        if self.hamil:
            qs = qs.filter(pregnant=True)
        if self.balita:
            qs = qs.filter(birth_date__gt=years_ago(5, today))
        if self.lansia:
            qs = qs.filter(birth_date__lte=years_ago(60, today))
        if self.disabilitas:
            qs = qs.filter(disabled=True)
        if self.stunting:
            qs = qs.filter(stunting_q(today))
        if self.desil_max:
            qs = qs.filter(household__desil__lte=self.desil_max)
        return qs


def person_search_q(text: str) -> Q:
    """A full NIK (exact) or a name tolerant of old/new spelling."""
    text = text.strip()
    digits = text.replace(" ", "")
    if digits.isdigit() and len(digits) == 16:
        return Q(nik=digits)
    condition = Q()
    for word in name_key(text).split():
        condition &= Q(name_key__contains=word)
    return condition


def school_summary(qs: QuerySet[Person], today: date) -> list[dict]:
    """Children 0–18 by age band and school level, for the education overview (one aggregate query)."""
    bands = [("0–6", 0, 6), ("7–12", 7, 12), ("13–15", 13, 15), ("16–18", 16, 18)]
    levels = ["belum sekolah", "paud", "sd", "smp", "sma", "tidak sekolah lagi", ""]
    aggregates = {}
    for i, (_label, low, high) in enumerate(bands):
        band = Q(birth_date__lte=years_ago(low, today), birth_date__gt=years_ago(high + 1, today))
        for j, level in enumerate(levels):
            aggregates[f"b{i}_{j}"] = Count("pk", filter=band & Q(school_status=level))
    counts = qs.aggregate(**aggregates)
    rows = []
    for i, (label, _low, _high) in enumerate(bands):
        cells = [counts[f"b{i}_{j}"] for j in range(len(levels))]
        rows.append({"band": label, "cells": cells, "total": sum(cells)})
    return rows


# --- interventions and referrals -------------------------------------------------------------

def interventions_for(user) -> QuerySet[Intervention]:
    """Interventions ``user`` may read: in scope, and a partner only its own agency's."""
    qs = scope_queryset(Intervention.objects.select_related(
        "agency", "household__region", "person", "recorded_by"), user)
    if user.is_authenticated and user.role == Role.PARTNER and not user.is_superuser:
        agency = agency_of(user)
        qs = qs.filter(agency=agency) if agency else qs.none()
    return qs


def interventions_for_household(user, household) -> QuerySet[Intervention]:
    """The services recorded for one household that ``user`` may read, newest first (timeline include)."""
    return interventions_for(user).filter(household=household).order_by("-delivered_on", "-pk")


def intervention_counts(user, *, since: date | None = None) -> dict:
    """Interventions in ``user``'s view counted per agency, per kab/kota and per kind."""
    qs = interventions_for(user)
    if since:
        qs = qs.filter(delivered_on__gte=since)
    by_agency = list(qs.values("agency__name", "agency__sector").annotate(n=Count("pk")).order_by("-n", "agency__name"))
    by_region = list(qs.annotate(kabkota=Substr("household__region_id", 1, 5)).values("kabkota")
                     .annotate(n=Count("pk")).order_by("kabkota"))
    by_kind = [{**row, "label": InterventionKind(row["kind"]).label}
               for row in qs.values("kind").annotate(n=Count("pk")).order_by("-n", "kind")]
    return {"total": qs.count(), "by_agency": by_agency, "by_region": by_region, "by_kind": by_kind}


def referrals_for(user) -> QuerySet[Referral]:
    """Referrals ``user`` may read: in scope (a pendamping: caseload); a partner only those to its agency."""
    qs = scope_queryset(Referral.objects.select_related(
        "agency", "household__region", "person", "referred_by"), user)
    if user.is_authenticated and user.role == Role.PARTNER and not user.is_superuser:
        agency = agency_of(user)
        qs = qs.filter(agency=agency) if agency else qs.none()
    return qs


def stale_after_days() -> int:
    return int(getattr(settings, "JSIKA_REFERRAL_STALE_DAYS", 14))


def stale_referrals(user, *, days: int | None = None, now=None) -> QuerySet[Referral]:
    """Referrals still waiting on the agency (open, accepted or acted on) referred more than ``days`` ago."""
    days = stale_after_days() if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    return referrals_for(user).filter(status__in=PENDING_STATUSES, referred_at__lt=cutoff).order_by("referred_at")


def saved_searches_for(user) -> QuerySet[SavedSearch]:
    return SavedSearch.objects.filter(owner=user) if user.is_authenticated else SavedSearch.objects.none()
