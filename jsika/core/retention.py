"""Retention of exited households (UU PDP No. 27/2022: keep personal data no longer than needed).

A household whose every enrollment ended more than ``JSIKA_RETENTION_YEARS_AFTER_EXIT`` years ago,
with no open grievance and no unpaid payment, is pseudonymised: names, NIK and No. KK (replaced by
a keyed, irreversible hash marker), phone numbers, address, RT/RW, coordinates, bank holder data,
free-text notes and photos about the family.
Region, birth year, sex, relations, enrollments, payments and their amounts stay, so every report
and dashboard figure stays the same. The rows' history is scrubbed of the old values too (a new
history row records the change), and one audit entry records the run.
"""

from dataclasses import asdict, dataclass
from datetime import date

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.crypto import salted_hmac
from simple_history.utils import bulk_update_with_history

from .models import AuditEvent

# A pseudonymised NIK / No. KK: "R" and 15 hex digits of a keyed hash. Real numbers are 16 digits,
# so a marker can never be mistaken for one, and the marked rows are recognisable.
MARKER_PREFIX = "R"
PSEUDONYM_NAME = "Anonim (retensi data)"
CHANGE_REASON = "retensi UU PDP: data pribadi dipseudonimkan"
BATCH = 500


def marker(value: str, kind: str) -> str:
    """Irreversible stand-in for an identity number: HMAC-SHA256 keyed by the deployment's secret.
    The same NIK always gives the same marker (so duplicates stay detectable) but cannot be read back."""
    return MARKER_PREFIX + salted_hmac(f"jsika.retention.{kind}", value, algorithm="sha256").hexdigest()[:15]


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@dataclass
class RetentionResult:
    cutoff: str
    households: int = 0
    persons: int = 0
    payments: int = 0
    bank_accounts: int = 0
    visits: int = 0
    grievances: int = 0
    dry_run: bool = False


def eligible_households(*, today: date | None = None, years: int | None = None) -> QuerySet:
    """Households due for pseudonymisation: at least one exit, every enrollment exited (on or before the
    cut-off) or rejected, no open grievance (on the household or a member's NIK), no unpaid payment."""
    from jsika.grievances.models import OPEN_STATUSES as OPEN_GRIEVANCE
    from jsika.payments.models import PaymentStatus
    from jsika.programs.models import EnrollmentStatus

    Household = apps.get_model("registry", "Household")
    Enrollment = apps.get_model("programs", "Enrollment")
    Grievance = apps.get_model("grievances", "Grievance")
    Payment = apps.get_model("payments", "Payment")
    Person = apps.get_model("registry", "Person")
    years = settings.JSIKA_RETENTION_YEARS_AFTER_EXIT if years is None else years
    cutoff = years_before(today or timezone.localdate(), years)

    enrollments = Enrollment.objects.filter(household=OuterRef("pk"))
    ended_long_ago = Q(status=EnrollmentStatus.EXITED, ended_on__lte=cutoff) | Q(status=EnrollmentStatus.REJECTED)
    member_niks = Person.objects.filter(household=OuterRef(OuterRef("pk"))).values("nik")
    open_grievances = Grievance.objects.filter(status__in=OPEN_GRIEVANCE).filter(
        Q(household=OuterRef("pk")) | Q(nik__in=member_niks))
    # Pending or failed transfers may still be paid; returned money may still be claimed.
    unpaid = Payment.objects.filter(household=OuterRef("pk"), status__in=[
        PaymentStatus.PENDING, PaymentStatus.FAILED, PaymentStatus.RETURNED])
    return (Household.objects
            .filter(Exists(enrollments.filter(status=EnrollmentStatus.EXITED)))
            .exclude(Exists(enrollments.exclude(ended_long_ago)))
            .exclude(Exists(open_grievances))
            .exclude(Exists(unpaid))
            .exclude(no_kk__startswith=MARKER_PREFIX))


# Free text and places written about a household (notes may name people, illnesses, addresses):
# emptied with the identities. The texts' existence, dates and kinds stay for the reports.
FREE_TEXT = [
    ("fieldwork.Visit", {"notes": "", "latitude": None, "longitude": None}),
    ("graduation.Assessment", {"notes": ""}),
    ("partners.Intervention", {"notes": "", "place": ""}),
    ("partners.Referral", {"description": "", "outcome_note": ""}),
    ("graduation.Grant", {"business_plan": "", "location": ""}),
]


def _delete_files_after_commit(rows: QuerySet, field_name: str) -> None:
    """Photos are files: removed from storage once the batch's transaction has committed."""
    storage = rows.model._meta.get_field(field_name).storage
    names = [n for n in rows.exclude(**{field_name: ""}).values_list(field_name, flat=True) if n]
    if names:
        transaction.on_commit(lambda: [storage.delete(n) for n in names])


def _scrub_history(model, ids_field: str, ids: list[int], values: dict, from_row: dict) -> None:
    """Overwrite personal fields in every past history row of these records with the live row's
    (already pseudonymised) values or constants: history must not keep what retention removed."""
    live = model.objects.filter(pk=OuterRef("id"))
    copied = {name: Subquery(live.values(name)[:1]) for name in from_row}
    model.history.filter(**{f"{ids_field}__in": ids}).update(**values, **copied)


def _pseudonymise_batch(household_ids: list[int], by, result: RetentionResult) -> None:
    from jsika.registry import summary
    from jsika.registry.names import name_key

    Household = apps.get_model("registry", "Household")
    Person = apps.get_model("registry", "Person")
    persons = list(Person.objects.filter(household_id__in=household_ids))
    old_niks = [p.nik for p in persons]
    now = timezone.now()  # bulk updates skip auto_now: set it, so "last changed" tells the truth
    for p in persons:
        p.updated_at = now
        p.nik = marker(p.nik, "nik")
        p.name, p.name_key, p.phone, p.nik_mismatch = PSEUDONYM_NAME, name_key(PSEUDONYM_NAME), "", ""
        p.birth_date = date(p.birth_date.year, 7, 1)  # the birth year stays for age statistics
    bulk_update_with_history(persons, Person,
                             ["nik", "name", "name_key", "phone", "nik_mismatch", "birth_date", "updated_at"],
                             batch_size=BATCH, default_user=by, default_change_reason=CHANGE_REASON)
    summary.refresh(household_ids)  # birth dates moved to 1 July
    _scrub_history(Person, "id", [p.pk for p in persons],
                   {"name": PSEUDONYM_NAME, "name_key": name_key(PSEUDONYM_NAME), "phone": "", "nik_mismatch": ""},
                   {"nik": True, "birth_date": True})

    households = list(Household.objects.filter(pk__in=household_ids))
    for h in households:
        h.no_kk = marker(h.no_kk, "kk")
        h.address, h.rt, h.rw, h.latitude, h.longitude, h.updated_at = "", "", "", None, None, now
    bulk_update_with_history(households, Household,
                             ["no_kk", "address", "rt", "rw", "latitude", "longitude", "updated_at"],
                             batch_size=BATCH, default_user=by, default_change_reason=CHANGE_REASON)
    _scrub_history(Household, "id", household_ids,
                   {"address": "", "rt": "", "rw": "", "latitude": None, "longitude": None}, {"no_kk": True})

    # Account numbers are unique per bank and never empty: "R-<row id>" says nothing about the real one.
    holder = {"holder_name": PSEUDONYM_NAME, "holder_nik": "",
              "account_number": Concat(Value(MARKER_PREFIX + "-"), Cast("id", CharField()))}
    for label, counter in (("payments.Payment", "payments"), ("payments.BankAccount", "bank_accounts")):
        model = apps.get_model(label)
        setattr(result, counter, getattr(result, counter)
                + model.objects.filter(household_id__in=household_ids).update(**holder))
        model.history.filter(household_id__in=household_ids).update(**holder)

    for label, values in FREE_TEXT:
        model = apps.get_model(label)
        rows = model.objects.filter(household_id__in=household_ids)
        if label == "fieldwork.Visit":
            values = {**values, "photo": ""}
            _delete_files_after_commit(rows, "photo")
            result.visits += rows.update(**values)
        else:
            rows.update(**values)
        model.history.filter(household_id__in=household_ids).update(**values)

    Grievance = apps.get_model("grievances", "Grievance")
    linked = Q(household_id__in=household_ids) | Q(nik__in=old_niks)
    reporter = {"reporter_name": "", "contact": "", "nik": "", "no_kk": ""}
    grievances = Grievance.objects.filter(pk__in=list(Grievance.objects.filter(linked).values_list("pk", flat=True)))
    _delete_files_after_commit(grievances, "photo")
    result.grievances += grievances.update(**reporter, photo="")
    Grievance.history.filter(id__in=grievances.values("pk")).update(**reporter, photo="")

    result.households += len(households)
    result.persons += len(persons)


def apply_retention(*, by, today: date | None = None, years: int | None = None,
                    dry_run: bool = False) -> RetentionResult:
    """Pseudonymise every eligible household (see ``eligible_households``), in batches; one audit
    entry per run. ``dry_run`` only counts. Running it again changes nothing already done."""
    years = settings.JSIKA_RETENTION_YEARS_AFTER_EXIT if years is None else years
    today = today or timezone.localdate()
    eligible = eligible_households(today=today, years=years)
    result = RetentionResult(cutoff=years_before(today, years).isoformat(), dry_run=dry_run)
    if dry_run:
        Person = apps.get_model("registry", "Person")
        result.households = eligible.count()
        result.persons = Person.objects.filter(household__in=eligible).count()
        return result
    ids = list(eligible.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        with transaction.atomic():
            _pseudonymise_batch(ids[start:start + BATCH], by, result)
    if result.households:
        AuditEvent.record(actor=by, action=AuditEvent.Action.RETENTION_APPLIED, years=years,
                          **{k: v for k, v in asdict(result).items() if k != "dry_run"})
    return result
