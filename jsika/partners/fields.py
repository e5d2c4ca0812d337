"""Data minimisation: which person and household fields each sector may read (UU PDP No. 27/2022).

``partner_fields(sector)`` is the one answer used by the partner pages, the API, the DCI search
and the exports. An education office sees the children and their schooling, never pregnancy,
disability or stunting; a health office sees pregnancy, toddlers, the elderly, disability and
stunting-risk flags, never schooling details. A field a sector may not read can neither be shown
nor used as a search criterion (filtering by it would reveal it).
"""

from dataclasses import dataclass
from datetime import date

from jsika.core.masking import mask_number
from jsika.core.roles import Role

from .sectors import Sector

PERSON_BASE = ("id", "nik", "name", "sex", "birth_date", "age", "relation")
HOUSEHOLD_BASE = ("id", "no_kk", "region", "region_name", "address", "rt", "rw")

# Every field a full reader (manager, operator, auditor, pendamping) may see through the partner views.
ALL_PERSON_FIELDS = PERSON_BASE + ("education", "school_status", "pregnant", "disabled", "stunting_risk",
                                   "occupation", "phone", "nik_mismatch")
ALL_HOUSEHOLD_FIELDS = HOUSEHOLD_BASE + ("desil", "is_pkh_recipient", "latitude", "longitude", "member_count")

SECTOR_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # sector: (extra person fields, extra household fields)
    Sector.EDUCATION: (("education", "school_status"), ("member_count",)),
    Sector.HEALTH: (("pregnant", "disabled", "stunting_risk"), ("member_count",)),
    Sector.SOCIAL: (("disabled", "occupation", "phone"), ("desil", "is_pkh_recipient", "member_count")),
    Sector.MANPOWER: (("education", "occupation"), ("desil",)),
    Sector.HOUSING: ((), ("desil", "latitude", "longitude", "member_count")),
    Sector.CIVIL_REGISTRY: (("nik_mismatch",), ("member_count",)),
}

# The person/household field a search criterion reads; a sector without that field may not use it.
CRITERION_FIELD = {
    "sekolah": "school_status", "putus_sekolah": "school_status", "lulus_smp": "school_status",
    "hamil": "pregnant", "disabilitas": "disabled", "stunting": "stunting_risk",
    "desil_max": "desil",
}


@dataclass(frozen=True)
class PartnerFields:
    """The fields one reader may see: ``"pregnant" in fields.person``."""

    person: frozenset[str]
    household: frozenset[str]
    sector: str = ""

    def allows_criterion(self, name: str) -> bool:
        field = CRITERION_FIELD.get(name)
        return field is None or field in self.person or field in self.household

    def person_columns(self) -> list[str]:
        return [f for f in ALL_PERSON_FIELDS if f in self.person]

    def household_columns(self) -> list[str]:
        return [f for f in ALL_HOUSEHOLD_FIELDS if f in self.household]


FULL_FIELDS = PartnerFields(frozenset(ALL_PERSON_FIELDS), frozenset(ALL_HOUSEHOLD_FIELDS))


def partner_fields(sector: str) -> PartnerFields:
    """The fields an agency of ``sector`` may read; an unknown or empty sector reads only the base fields."""
    person_extra, household_extra = SECTOR_FIELDS.get(sector, ((), ()))
    return PartnerFields(frozenset(PERSON_BASE + person_extra), frozenset(HOUSEHOLD_BASE + household_extra),
                         sector=sector)


def fields_for(user, sector: str = "") -> PartnerFields:
    """A partner reads its sector's fields; staff roles that read the registry in full read every field."""
    from .queries import sector_of

    if user.role == Role.PARTNER and not user.is_superuser:
        return partner_fields(sector_of(user))
    if sector:  # staff previewing what a sector sees
        return partner_fields(sector)
    return FULL_FIELDS


def person_values(person, fields: PartnerFields, *, today: date, full_numbers: bool = False) -> dict:
    """The allowed fields of one person as plain values (NIK masked unless ``full_numbers``)."""
    available = {
        "id": person.pk, "nik": person.nik if full_numbers else mask_number(person.nik), "name": person.name,
        "sex": person.sex, "birth_date": person.birth_date, "age": person.age_on(today),
        "relation": person.relation, "education": person.education, "school_status": person.school_status,
        "pregnant": person.pregnant, "disabled": person.disabled,
        "stunting_risk": bool(getattr(person, "stunting_risk", False)),
        "occupation": person.occupation, "phone": person.phone, "nik_mismatch": person.nik_mismatch,
    }
    return {k: v for k, v in available.items() if k in fields.person}


def household_values(household, fields: PartnerFields, *, full_numbers: bool = False) -> dict:
    """The allowed fields of one household (No. KK masked unless ``full_numbers``)."""
    member_count = getattr(household, "member_count", None)
    if member_count is None and "member_count" in fields.household:
        member_count = household.members.count()
    available = {
        "id": household.pk, "no_kk": household.no_kk if full_numbers else mask_number(household.no_kk),
        "region": household.region_id, "region_name": household.region.name, "address": household.address,
        "rt": household.rt, "rw": household.rw, "desil": household.desil,
        "is_pkh_recipient": household.is_pkh_recipient, "latitude": household.latitude,
        "longitude": household.longitude, "member_count": member_count,
    }
    return {k: v for k, v in available.items() if k in fields.household}
