"""Partner agencies (OPD), their members, the services they record, referrals to them and saved searches.

A partner user belongs to at most one agency through ``Membership``; the agency gives the user a
sector (what fields they read, what services they record). The user's region scope stays on the
user (``core.User.scope``), so every personal-data read still passes ``scope_queryset``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .sectors import InterventionKind, ReferralNeed, Sector


class Agency(models.Model):
    """A government agency (OPD) of the province or a kab/kota that serves KPM."""

    name = models.CharField(_("nama instansi"), max_length=150, unique=True)
    short_name = models.CharField(_("singkatan"), max_length=40, blank=True)
    sector = models.CharField(_("sektor"), max_length=20, choices=Sector.choices)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("wilayah kerja"),
                               help_text=_("Provinsi atau kab/kota tempat instansi bertugas."))
    is_active = models.BooleanField(_("aktif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = _("instansi mitra (OPD)")
        verbose_name_plural = _("instansi mitra (OPD)")
        constraints = [
            models.CheckConstraint(name="agency_sector_known", condition=Q(sector__in=Sector.values)),
        ]

    def __str__(self):
        return self.short_name or self.name


class Membership(models.Model):
    """A partner user's agency (one each). The user's sector follows the agency's."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="partner_membership", verbose_name=_("pengguna"))
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships",
                               verbose_name=_("instansi"))
    since = models.DateField(_("sejak"), default=timezone.localdate)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("anggota instansi")
        verbose_name_plural = _("anggota instansi")

    def __str__(self):
        return f"{self.user} · {self.agency}"


class Intervention(models.Model):
    """A service an agency gave a household or one of its members (intervensi)."""

    SCOPE_REGION_PATH = "household__region__code"
    SCOPE_HOUSEHOLD_PATH = "household_id"

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="interventions",
                               verbose_name=_("instansi"))
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="interventions",
                                  verbose_name=_("keluarga"))
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="interventions", verbose_name=_("anggota keluarga"))
    kind = models.CharField(_("jenis layanan"), max_length=30, choices=InterventionKind.choices)
    delivered_on = models.DateField(_("tanggal layanan"))
    place = models.CharField(_("tempat layanan"), max_length=150, blank=True,
                             help_text=_("Mis. nama sekolah atau puskesmas."))
    notes = models.TextField(_("catatan"), blank=True)
    referral = models.ForeignKey("Referral", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="interventions", verbose_name=_("rujukan"))
    client_id = models.UUIDField(_("id klien"), null=True, blank=True,
                                 help_text=_("Id buatan sistem mitra; mengirim ulang tidak menggandakan."))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("dicatat oleh"))
    recorded_at = models.DateTimeField(_("dicatat pada"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-delivered_on", "-pk"]
        verbose_name = _("intervensi")
        verbose_name_plural = _("intervensi")
        indexes = [
            models.Index(fields=["household", "delivered_on"]),
            models.Index(fields=["agency", "delivered_on"]),
            models.Index(fields=["kind", "person"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["agency", "client_id"], condition=Q(client_id__isnull=False),
                                    name="one_intervention_per_agency_client_id"),
        ]

    def __str__(self):
        return f"{self.delivered_on} {self.get_kind_display()} · {self.household_id}"


class ReferralStatus(models.TextChoices):
    OPEN = "open", _("Baru dirujuk")
    ACCEPTED = "accepted", _("Diterima instansi")
    ACTED = "acted", _("Ditindaklanjuti")
    CLOSED = "closed", _("Selesai")
    DECLINED = "declined", _("Ditolak")


# A referral in these statuses still waits for the agency; past N days a manager sees it as overdue.
PENDING_STATUSES = (ReferralStatus.OPEN, ReferralStatus.ACCEPTED, ReferralStatus.ACTED)


class ReferralOutcome(models.TextChoices):
    SERVED = "terlayani", _("Terlayani")
    NOT_ELIGIBLE = "tidak_memenuhi_syarat", _("Tidak memenuhi syarat")
    UNREACHABLE = "tidak_dapat_dihubungi", _("Tidak dapat dihubungi")
    REFERRED_ON = "dirujuk_lanjut", _("Dirujuk ke layanan lain")
    OTHER = "lainnya", _("Lainnya")


class Referral(models.Model):
    """A family member referred to an agency for a need found in a visit; the agency accepts, acts, closes."""

    SCOPE_REGION_PATH = "household__region__code"
    SCOPE_HOUSEHOLD_PATH = "household_id"

    Status = ReferralStatus

    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="referrals",
                                  verbose_name=_("keluarga"))
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="referrals",
                               verbose_name=_("anggota keluarga"))
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="referrals",
                               verbose_name=_("instansi tujuan"))
    need = models.CharField(_("kebutuhan"), max_length=30, choices=ReferralNeed.choices)
    description = models.TextField(_("keterangan"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ReferralStatus.choices,
                              default=ReferralStatus.OPEN)
    outcome = models.CharField(_("hasil"), max_length=30, choices=ReferralOutcome.choices, blank=True)
    outcome_note = models.TextField(_("catatan hasil"), blank=True)
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("dirujuk oleh"))
    referred_at = models.DateTimeField(_("dirujuk pada"), default=timezone.now)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("diterima oleh"))
    accepted_at = models.DateTimeField(_("diterima pada"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("diselesaikan oleh"))
    closed_at = models.DateTimeField(_("diselesaikan pada"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-referred_at", "-pk"]
        verbose_name = _("rujukan")
        verbose_name_plural = _("rujukan")
        indexes = [
            models.Index(fields=["agency", "status"]),
            models.Index(fields=["status", "referred_at"]),
        ]
        constraints = [
            models.CheckConstraint(name="closed_referral_has_outcome",
                                   condition=~Q(status="closed") | ~Q(outcome="")),
        ]

    def __str__(self):
        return f"{self.get_need_display()} → {self.agency} ({self.get_status_display()})"

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING_STATUSES

    def age_days(self, now=None) -> int:
        return ((now or timezone.now()) - self.referred_at).days


class ReferralEvent(models.Model):
    """One step of a referral: who moved it from which status to which, when, and why."""

    class Action(models.TextChoices):
        REFERRED = "referred", _("Dirujuk")
        ACCEPTED = "accepted", _("Diterima")
        ACTED = "acted", _("Ditindaklanjuti")
        CLOSED = "closed", _("Diselesaikan")
        DECLINED = "declined", _("Ditolak")

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=10, choices=Action.choices)
    from_status = models.CharField(max_length=10, choices=ReferralStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=ReferralStatus.choices)
    note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.referral_id} {self.action} {self.at:%Y-%m-%d}"


class SavedSearch(models.Model):
    """A partner's named search (criteria and region), run again and exported later."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches")
    name = models.CharField(_("nama pencarian"), max_length=120)
    sector = models.CharField(_("sektor"), max_length=20, blank=True)
    criteria = models.JSONField(_("kriteria"), default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    last_run_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("pencarian tersimpan")
        verbose_name_plural = _("pencarian tersimpan")
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="one_saved_search_name_per_owner")]

    def __str__(self):
        return self.name

