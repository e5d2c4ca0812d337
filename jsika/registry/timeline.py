"""The change timeline of one household and its members, read from django-simple-history."""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _

from jsika.core.masking import mask_number

from .models import Household, Person

HOUSEHOLD_FIELDS = ["no_kk", "region", "address", "rt", "rw", "latitude", "longitude", "desil", "is_pkh_recipient"]
PERSON_FIELDS = ["household", "nik", "name", "sex", "birth_date", "relation", "education", "school_status",
                 "pregnant", "disabled", "occupation", "phone", "nik_mismatch"]
MASKED_FIELDS = {"nik", "no_kk"}


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class TimelineEntry:
    at: datetime
    who: str
    kind: str  # "household" or "person"
    subject: str
    action: str  # "+" created, "~" changed, "-" deleted
    reason: str = ""
    changes: list[Change] = field(default_factory=list)


def _display(model_field, value) -> str:
    if value is None or value == "":
        return "—"
    if model_field.name in MASKED_FIELDS:
        return mask_number(str(value))
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Ya") if value else _("Tidak")
    if model_field.is_relation:
        return f"#{value}" if model_field.name == "household" else str(value)
    if hasattr(value, "strftime"):
        return value.strftime("%d-%m-%Y")
    return str(value)


def _entries(records, model, field_names: list[str], kind: str) -> list[TimelineEntry]:
    fields = [model._meta.get_field(name) for name in field_names]
    previous = {}
    entries = []
    for record in records:
        before = previous.get(record.id)
        previous[record.id] = record
        subject = _("Keluarga") if kind == "household" else record.name
        entry = TimelineEntry(
            at=record.history_date, kind=kind, subject=subject, action=record.history_type,
            who=record.history_user.get_username() if record.history_user else _("sistem"),
            reason=record.history_change_reason or "",
        )
        if record.history_type == "~" and before is not None:
            for f in fields:
                old, new = getattr(before, f.attname), getattr(record, f.attname)
                if old != new:
                    entry.changes.append(Change(str(f.verbose_name), _display(f, old), _display(f, new)))
            if not entry.changes and not entry.reason:
                continue  # a save that changed nothing is noise
        entries.append(entry)
    return entries


def household_timeline(household: Household) -> list[TimelineEntry]:
    """Every recorded change of the household and of the members while in it, newest first;
    NIK and No. KK are masked in the before/after values."""
    order = ("history_date", "history_id")
    households = household.history.select_related("history_user").order_by(*order)
    persons = Person.history.filter(household_id=household.pk).select_related("history_user").order_by(*order)
    entries = _entries(households, Household, HOUSEHOLD_FIELDS, "household")
    entries += _entries(persons, Person, PERSON_FIELDS, "person")
    return sorted(entries, key=lambda e: e.at, reverse=True)
