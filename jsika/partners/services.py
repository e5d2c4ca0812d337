"""Every write of the partners app: agencies and members, interventions, referrals, saved searches.

Each function takes keyword arguments and the acting user (``by``), checks what that user may do,
and writes inside one transaction with history (django-simple-history on the models, plus the
referral's own event list).
"""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jsika.core.roles import Role
from jsika.core.scoping import code_in_scope
from jsika.regions.models import Region
from jsika.registry.queries import households_for

from .models import (
    PENDING_STATUSES,
    Agency,
    Intervention,
    Membership,
    Referral,
    ReferralEvent,
    ReferralOutcome,
    ReferralStatus,
    SavedSearch,
)
from .queries import PersonCriteria, agency_of
from .sectors import PERSON_KINDS, SECTOR_OF_NEED, InterventionKind, ReferralNeed, Sector, kinds_for

EARLIEST_SERVICE_DAY = date(2000, 1, 1)


class PartnerError(Exception):
    """A write refused for a reason the user can act on; ``field`` names the input at fault."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(PartnerError):
    """The acting user's role or agency may not do this."""


class OutOfScope(PartnerError):
    """The household or person is outside the acting user's scope (or does not exist)."""


class Conflict(PartnerError):
    """The request conflicts with what is stored (a client id reused with other content)."""


# --- agencies and members --------------------------------------------------------------------

def _require_manager(by) -> None:
    if not by.has_role(Role.MANAGER):
        raise NotAllowed(_("Hanya pengelola program yang dapat mengatur instansi mitra."))


@transaction.atomic
def create_agency(*, by, name: str, sector: str, region, short_name: str = "") -> Agency:
    """A new partner agency; only a manager (within their scope) or a superuser."""
    _require_manager(by)
    if sector not in Sector.values:
        raise PartnerError(_("Sektor tidak dikenal: %(s)s.") % {"s": sector}, "sector")
    region = region if isinstance(region, Region) else Region.objects.filter(code=region).first()
    if region is None:
        raise PartnerError(_("Wilayah kerja tidak dikenal."), "region")
    if not by.is_superuser and not code_in_scope(region.code, by.scope):
        raise NotAllowed(_("Wilayah kerja instansi di luar cakupan Anda."))
    return Agency.objects.create(name=name.strip(), short_name=short_name.strip(), sector=sector, region=region)


@transaction.atomic
def link_partner(*, user, agency: Agency, by) -> Membership:
    """Make ``user`` (role partner) a member of ``agency``; its sector and organization follow the agency.

    A user without a scope gets the agency's region; a scope wider than the agency's region is refused.
    """
    _require_manager(by)
    if user.role != Role.PARTNER:
        raise PartnerError(_("Hanya akun berperan mitra (OPD) yang dapat menjadi anggota instansi."), "user")
    if user.scope and not code_in_scope(user.scope, agency.region_id):
        raise PartnerError(_("Cakupan wilayah akun (%(scope)s) di luar wilayah kerja instansi (%(region)s).")
                           % {"scope": user.scope, "region": agency.region_id}, "user")
    membership, _created = Membership.objects.update_or_create(user=user, defaults={"agency": agency})
    user.sector, user.organization = agency.sector, agency.name
    user.scope = user.scope or agency.region_id
    user.save(update_fields=["sector", "organization", "scope"])
    if hasattr(user, "_partner_membership_cache"):
        del user._partner_membership_cache
    return membership


# --- interventions ---------------------------------------------------------------------------

def _member_agency(by) -> Agency:
    agency = agency_of(by)
    if agency is None:
        raise NotAllowed(_("Akun Anda belum terhubung ke instansi mitra; layanan dicatat atas nama instansi."))
    return agency


def _readable_household(by, household):
    found = households_for(by).filter(pk=getattr(household, "pk", household)).select_related("region").first()
    if found is None:
        raise OutOfScope(_("Keluarga tidak ditemukan atau di luar cakupan wilayah Anda."), "household")
    return found


def _same_content(existing: Intervention, values: dict) -> bool:
    return all(getattr(existing, k) == v for k, v in values.items())


@transaction.atomic
def record_intervention(*, by, household, kind: str, delivered_on: date, person=None, place: str = "",
                        notes: str = "", referral: Referral | None = None,
                        client_id=None) -> tuple[Intervention, bool]:
    """Record a service ``by``'s agency gave a household (or one member); returns (intervention, created).

    Guarantees: the household is in ``by``'s scope, the person belongs to it, the kind belongs to the
    agency's sector. Sending the same ``client_id`` again with the same content creates nothing;
    with other content it is a ``Conflict``.
    """
    agency = _member_agency(by)
    household = _readable_household(by, household)
    if person is not None and person.household_id != household.pk:
        raise PartnerError(_("Anggota keluarga ini tidak terdaftar di keluarga tersebut."), "person")
    if kind not in kinds_for(agency.sector):
        raise PartnerError(_("Jenis layanan '%(kind)s' bukan layanan sektor %(sector)s.")
                           % {"kind": kind, "sector": Sector(agency.sector).label}, "kind")
    if kind in PERSON_KINDS and person is None:
        raise PartnerError(_("Layanan '%(kind)s' diberikan kepada satu anggota keluarga: pilih orangnya.")
                           % {"kind": InterventionKind(kind).label}, "person")
    if kind == InterventionKind.ANTENATAL_CHECK and not person.pregnant:
        raise PartnerError(_("Pemeriksaan kehamilan hanya untuk anggota keluarga yang tercatat hamil."), "person")
    today = timezone.localdate()
    if delivered_on > today or delivered_on < EARLIEST_SERVICE_DAY:
        raise PartnerError(_("Tanggal layanan harus antara 1-1-2000 dan hari ini."), "delivered_on")
    if referral is not None and (referral.agency_id != agency.pk or referral.household_id != household.pk):
        raise PartnerError(_("Rujukan ini bukan untuk instansi Anda atau keluarga ini."), "referral")
    values = {"agency": agency, "household": household, "person": person, "kind": kind,
              "delivered_on": delivered_on, "place": place.strip(), "notes": notes.strip()}
    if client_id is not None:
        existing = Intervention.objects.filter(agency=agency, client_id=client_id).first()
        if existing is not None:
            if _same_content(existing, values):
                return existing, False
            raise Conflict(_("client_id %(id)s sudah dipakai untuk layanan lain.") % {"id": client_id}, "client_id")
    try:
        with transaction.atomic():
            intervention = Intervention.objects.create(**values, referral=referral, client_id=client_id,
                                                       recorded_by=by)
    except IntegrityError as exc:  # the same client_id sent twice at the same moment
        existing = Intervention.objects.filter(agency=agency, client_id=client_id).first()
        if existing is not None and _same_content(existing, values):
            return existing, False
        raise Conflict(_("client_id %(id)s sudah dipakai untuk layanan lain.") % {"id": client_id},
                       "client_id") from exc
    return intervention, True


# --- referrals -------------------------------------------------------------------------------

REFERRER_ROLES = (Role.FACILITATOR, Role.OPERATOR, Role.MANAGER)


def _event(referral: Referral, *, action: str, from_status: str, by, note: str = "") -> None:
    ReferralEvent.objects.create(referral=referral, action=action, from_status=from_status,
                                 to_status=referral.status, note=note, by=by, at=timezone.now())


@transaction.atomic
def refer(*, by, person, agency: Agency, need: str, description: str = "") -> Referral:
    """A pendamping (caseload) or an operator/manager (scope) refers a family member to an agency for a need."""
    if not by.has_role(*REFERRER_ROLES):
        raise NotAllowed(_("Hanya pendamping, operator atau pengelola yang dapat membuat rujukan."))
    household = _readable_household(by, person.household_id)
    if need not in ReferralNeed.values:
        raise PartnerError(_("Kebutuhan tidak dikenal: %(need)s.") % {"need": need}, "need")
    if not agency.is_active:
        raise PartnerError(_("Instansi tujuan tidak aktif."), "agency")
    wanted = SECTOR_OF_NEED[need]
    if wanted and agency.sector != wanted:
        raise PartnerError(_("Kebutuhan '%(need)s' dirujuk ke instansi sektor %(sector)s.")
                           % {"need": ReferralNeed(need).label, "sector": Sector(wanted).label}, "agency")
    if not code_in_scope(household.region_id, agency.region_id):
        raise PartnerError(_("Keluarga ini di luar wilayah kerja instansi tujuan."), "agency")
    if Referral.objects.filter(person=person, agency=agency, need=need, status__in=PENDING_STATUSES).exists():
        raise Conflict(_("Rujukan yang sama untuk orang ini masih berjalan."), "need")
    referral = Referral.objects.create(household=household, person=person, agency=agency, need=need,
                                       description=description.strip(), referred_by=by)
    _event(referral, action=ReferralEvent.Action.REFERRED, from_status="", by=by, note=description.strip())
    return referral


def _locked_for_agency(referral: Referral, by) -> Referral:
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if not by.is_superuser and agency_of(by) != referral.agency:
        raise NotAllowed(_("Hanya anggota instansi tujuan yang dapat memproses rujukan ini."))
    return referral


def _expect(referral: Referral, *statuses: str, doing: str) -> None:
    if referral.status not in statuses:
        raise PartnerError(_("Rujukan berstatus '%(status)s' tidak dapat %(doing)s.")
                           % {"status": referral.get_status_display(), "doing": doing}, "status")


@transaction.atomic
def accept_referral(*, referral: Referral, by, note: str = "") -> Referral:
    """The agency takes the referral on."""
    referral = _locked_for_agency(referral, by)
    _expect(referral, ReferralStatus.OPEN, doing=_("diterima"))
    referral.status, referral.accepted_by, referral.accepted_at = ReferralStatus.ACCEPTED, by, timezone.now()
    referral.save(update_fields=["status", "accepted_by", "accepted_at"])
    _event(referral, action=ReferralEvent.Action.ACCEPTED, from_status=ReferralStatus.OPEN, by=by, note=note.strip())
    return referral


@transaction.atomic
def act_on_referral(*, referral: Referral, by, note: str, kind: str = "", delivered_on: date | None = None,
                    place: str = "") -> tuple[Referral, Intervention | None]:
    """The agency records what it did (optionally a service, recorded as an intervention); may repeat."""
    referral = _locked_for_agency(referral, by)
    _expect(referral, ReferralStatus.ACCEPTED, ReferralStatus.ACTED, doing=_("ditindaklanjuti"))
    if not note.strip() and not kind:
        raise PartnerError(_("Tuliskan tindak lanjutnya."), "note")
    intervention = None
    if kind:
        intervention, _created = record_intervention(
            by=by, household=referral.household, person=referral.person, kind=kind,
            delivered_on=delivered_on or timezone.localdate(), place=place, notes=note, referral=referral)
    before = referral.status
    if before != ReferralStatus.ACTED:  # a further action adds an event, not a history row without a change
        referral.status = ReferralStatus.ACTED
        referral.save(update_fields=["status"])
    _event(referral, action=ReferralEvent.Action.ACTED, from_status=before, by=by,
           note=note.strip() or str(InterventionKind(kind).label))
    return referral, intervention


@transaction.atomic
def close_referral(*, referral: Referral, by, outcome: str, note: str = "") -> Referral:
    """The agency closes the referral with its outcome."""
    referral = _locked_for_agency(referral, by)
    _expect(referral, ReferralStatus.ACCEPTED, ReferralStatus.ACTED, doing=_("diselesaikan"))
    if outcome not in ReferralOutcome.values:
        raise PartnerError(_("Hasil rujukan tidak dikenal."), "outcome")
    before = referral.status
    referral.status, referral.outcome, referral.outcome_note = ReferralStatus.CLOSED, outcome, note.strip()
    referral.closed_by, referral.closed_at = by, timezone.now()
    referral.save(update_fields=["status", "outcome", "outcome_note", "closed_by", "closed_at"])
    _event(referral, action=ReferralEvent.Action.CLOSED, from_status=before, by=by,
           note=f"{ReferralOutcome(outcome).label}. {note.strip()}".strip())
    return referral


@transaction.atomic
def decline_referral(*, referral: Referral, by, reason: str) -> Referral:
    """The agency declines a new referral (e.g. not its mandate), saying why."""
    referral = _locked_for_agency(referral, by)
    _expect(referral, ReferralStatus.OPEN, doing=_("ditolak"))
    if not reason.strip():
        raise PartnerError(_("Alasan penolakan wajib diisi."), "reason")
    referral.status, referral.outcome_note = ReferralStatus.DECLINED, reason.strip()
    referral.closed_by, referral.closed_at = by, timezone.now()
    referral.save(update_fields=["status", "outcome_note", "closed_by", "closed_at"])
    _event(referral, action=ReferralEvent.Action.DECLINED, from_status=ReferralStatus.OPEN, by=by,
           note=reason.strip())
    return referral


# --- saved searches --------------------------------------------------------------------------

@transaction.atomic
def save_search(*, by, name: str, criteria: PersonCriteria, sector: str = "") -> SavedSearch:
    """Keep (or overwrite, by name) a search of ``by``'s."""
    name = name.strip()
    if not name:
        raise PartnerError(_("Beri nama pencarian ini."), "name")
    search, _created = SavedSearch.objects.update_or_create(
        owner=by, name=name, defaults={"criteria": criteria.as_dict(), "sector": sector})
    return search


@transaction.atomic
def delete_search(*, search: SavedSearch, by) -> None:
    if search.owner_id != by.pk:
        raise NotAllowed(_("Pencarian ini milik pengguna lain."))
    search.delete()


@transaction.atomic
def mark_search_run(*, search: SavedSearch) -> None:
    SavedSearch.objects.filter(pk=search.pk).update(last_run_at=timezone.now())
