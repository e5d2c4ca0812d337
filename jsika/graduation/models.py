"""Self-reliance assessments (versioned instrument as data), graduation decisions, targets, and UEP grants.

Scores are reproducible: an assessment stores its answers and the instrument version it used, and a
published instrument (its indicators and options) never changes — a revision is a new version.
"""

import calendar
import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

FOLLOW_UP_MONTHS = (3, 6, 12)


def add_months(day: date, months: int) -> date:
    """``day`` moved ``months`` months on; the 31st becomes the last day of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class InstrumentLocked(Exception):
    """A published instrument's indicators and options are frozen: assessments depend on them."""


# --- the instrument --------------------------------------------------------------------------------

class Band(models.TextChoices):
    NOT_READY = "not_ready", _("Belum siap")
    DEVELOPING = "developing", _("Berkembang")
    READY = "ready", _("Siap graduasi")


class Instrument(models.Model):
    """One version of the self-reliance assessment; once published it never changes."""

    code = models.CharField(_("kode"), max_length=30, default="KEMANDIRIAN")
    version = models.PositiveSmallIntegerField(_("versi"))
    name = models.CharField(_("nama"), max_length=150)
    description = models.TextField(_("keterangan"), blank=True)
    valid_from = models.DateField(_("berlaku mulai"))
    developing_from = models.PositiveSmallIntegerField(
        _("skor minimal 'berkembang'"), help_text=_("Skor 0–100; di bawahnya: belum siap."))
    ready_from = models.PositiveSmallIntegerField(_("skor minimal 'siap graduasi'"), help_text=_("Skor 0–100."))
    published_at = models.DateTimeField(_("diterbitkan pada"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("diterbitkan oleh"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("instrumen asesmen")
        verbose_name_plural = _("instrumen asesmen")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="one_instrument_per_code_version"),
            models.CheckConstraint(name="instrument_thresholds_ordered",
                                   condition=Q(developing_from__gt=0, developing_from__lt=models.F("ready_from"),
                                               ready_from__lte=100)),
        ]

    def __str__(self):
        return f"{self.name} v{self.version}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def band_for(self, score) -> str:
        if score >= self.ready_from:
            return Band.READY
        if score >= self.developing_from:
            return Band.DEVELOPING
        return Band.NOT_READY


class _FrozenWithInstrument(models.Model):
    """Rows of an instrument refuse to change once the instrument is published.

    ``INSTRUMENT_PATH`` names, attribute by attribute, how a row reaches its instrument.
    """

    INSTRUMENT_PATH = "instrument"

    class Meta:
        abstract = True

    def _instrument(self) -> Instrument:
        found = self
        for name in self.INSTRUMENT_PATH.split("."):
            found = getattr(found, name)
        return found

    def _check_unlocked(self):
        instrument = self._instrument()
        if Instrument.objects.filter(pk=instrument.pk, published_at__isnull=False).exists():
            raise InstrumentLocked(_("Instrumen %(i)s sudah diterbitkan dan tidak dapat diubah; buat versi baru.")
                                   % {"i": instrument})

    def save(self, *args, **kwargs):
        self._check_unlocked()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._check_unlocked()
        return super().delete(*args, **kwargs)


class Indicator(_FrozenWithInstrument):
    """One question of an instrument, with its weight in the score."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="indicators")
    code = models.SlugField(_("kode"), max_length=40)
    label = models.CharField(_("pertanyaan"), max_length=200)
    help_text = models.CharField(_("petunjuk"), max_length=300, blank=True)
    weight = models.PositiveSmallIntegerField(_("bobot"))
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        ordering = ["instrument", "order", "pk"]
        verbose_name = _("indikator")
        verbose_name_plural = _("indikator")
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="one_indicator_code_per_instrument"),
            models.CheckConstraint(name="indicator_weight_positive", condition=Q(weight__gte=1)),
        ]

    def __str__(self):
        return f"{self.instrument} · {self.code}"


class Option(_FrozenWithInstrument):
    """One answer of an indicator and its points."""

    INSTRUMENT_PATH = "indicator.instrument"

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(_("jawaban"), max_length=200)
    score = models.PositiveSmallIntegerField(_("poin"))
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        ordering = ["indicator", "order", "pk"]
        verbose_name = _("pilihan jawaban")
        verbose_name_plural = _("pilihan jawaban")

    def __str__(self):
        return f"{self.indicator.code}: {self.label} ({self.score})"


# --- assessments --------------------------------------------------------------------------------------

class Assessment(models.Model):
    """One scoring of a household's self-reliance with one instrument version; kept forever."""

    SCOPE_REGION_PATH = "household__region__code"
    SCOPE_HOUSEHOLD_PATH = "household_id"

    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="assessments",
                                  verbose_name=_("keluarga"))
    enrollment = models.ForeignKey("programs.Enrollment", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="assessments", verbose_name=_("kepesertaan"))
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="assessments",
                                   verbose_name=_("instrumen"))
    assessed_on = models.DateField(_("tanggal asesmen"))
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("asesor"))
    answers = models.JSONField(_("jawaban"), help_text=_("{kode indikator: id pilihan}"))
    score = models.DecimalField(_("skor"), max_digits=4, decimal_places=1)
    band = models.CharField(_("kategori"), max_length=12, choices=Band.choices)
    notes = models.TextField(_("catatan"), blank=True)
    client_id = models.UUIDField(_("ID dari perangkat"), unique=True, default=uuid.uuid4, editable=False)
    device_id = models.CharField(_("perangkat"), max_length=100, blank=True)
    recorded_at = models.DateTimeField(_("dicatat di perangkat"), null=True, blank=True)
    received_at = models.DateTimeField(_("diterima server"), default=timezone.now)
    content_hash = models.CharField(max_length=64, editable=False, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        verbose_name = _("asesmen")
        verbose_name_plural = _("asesmen")
        constraints = [
            models.CheckConstraint(name="assessment_score_0_100", condition=Q(score__gte=0, score__lte=100)),
        ]
        indexes = [models.Index(fields=["household", "assessed_on"])]

    def __str__(self):
        return f"{self.household_id} {self.assessed_on} {self.score} ({self.band})"


# --- graduation -----------------------------------------------------------------------------------------

class GraduationTarget(models.Model):
    """How many KPM of a program a region aims to graduate in a year (Jamsosratu 2021: 2,500 in Banten)."""

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="graduation_targets")
    year = models.PositiveSmallIntegerField(_("tahun"))
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("wilayah"))
    target = models.PositiveIntegerField(_("target graduasi (KPM)"))
    note = models.CharField(_("catatan/sumber"), max_length=255, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "program", "region"]
        verbose_name = _("target graduasi")
        verbose_name_plural = _("target graduasi")
        constraints = [
            models.UniqueConstraint(fields=["program", "year", "region"], name="one_graduation_target_per_region"),
        ]

    def __str__(self):
        return f"{self.program} {self.year} {self.region_id}: {self.target}"


class GraduationKind(models.TextChoices):
    NATURAL = "alamiah", _("Graduasi alamiah")
    SELF_RELIANT = "mandiri", _("Graduasi sejahtera mandiri")
    FORCED = "paksa", _("Graduasi paksa")


class Graduation(models.Model):
    """A decision that a KPM leaves its program: proposed, then approved (or rejected) by another person."""

    SCOPE_REGION_PATH = "household__region__code"
    SCOPE_HOUSEHOLD_PATH = "household_id"

    Kind = GraduationKind

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Diusulkan")
        APPROVED = "approved", _("Disetujui")
        REJECTED = "rejected", _("Ditolak")

    enrollment = models.ForeignKey("programs.Enrollment", on_delete=models.PROTECT, related_name="graduations",
                                   verbose_name=_("kepesertaan"))
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="graduations",
                                  verbose_name=_("keluarga"))
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="graduations",
                                verbose_name=_("program"))
    kind = models.CharField(_("jenis graduasi"), max_length=10, choices=GraduationKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    reason = models.TextField(_("alasan"), blank=True)
    evidence = models.JSONField(_("bukti"), default=dict, blank=True,
                                help_text=_("Masa kepesertaan dan asesmen terakhir saat diusulkan."))
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("asesmen terakhir"))
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("diusulkan oleh"))
    proposed_at = models.DateTimeField(_("diusulkan pada"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("diputuskan oleh"))
    decided_at = models.DateTimeField(_("diputuskan pada"), null=True, blank=True)
    decision_note = models.TextField(_("catatan keputusan"), blank=True)
    graduated_on = models.DateField(_("tanggal graduasi"), null=True, blank=True)
    certificate_number = models.CharField(_("nomor surat"), max_length=60, blank=True)
    replacement = models.ForeignKey("programs.Enrollment", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("slot diisi oleh"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        verbose_name = _("graduasi")
        verbose_name_plural = _("graduasi")
        constraints = [
            models.UniqueConstraint(fields=["enrollment"], condition=Q(status="proposed"),
                                    name="one_pending_graduation_per_enrollment"),
            models.UniqueConstraint(fields=["enrollment"], condition=Q(status="approved"),
                                    name="one_approved_graduation_per_enrollment"),
            models.UniqueConstraint(fields=["certificate_number"], condition=~Q(certificate_number=""),
                                    name="unique_graduation_certificate_number"),
            models.CheckConstraint(name="forced_graduation_has_reason", condition=~Q(kind="paksa") | ~Q(reason="")),
            models.CheckConstraint(name="approved_graduation_is_complete",
                                   condition=~Q(status="approved") | Q(graduated_on__isnull=False,
                                                                       decided_by__isnull=False)),
        ]
        indexes = [models.Index(fields=["program", "status", "graduated_on"])]

    def __str__(self):
        return f"{self.program} · {self.household_id} · {self.get_kind_display()} ({self.get_status_display()})"


# --- UEP grants -----------------------------------------------------------------------------------------

class GrantBudget(models.Model):
    """The money a program may commit to UEP grants in one year (whole rupiah)."""

    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="grant_budgets")
    year = models.PositiveSmallIntegerField(_("tahun"))
    amount_rupiah = models.PositiveBigIntegerField(_("pagu (Rp)"))
    note = models.CharField(_("catatan/sumber"), max_length=255, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "program"]
        verbose_name = _("pagu bantuan UEP")
        verbose_name_plural = _("pagu bantuan UEP")
        constraints = [models.UniqueConstraint(fields=["program", "year"], name="one_grant_budget_per_program_year")]

    def __str__(self):
        return f"{self.program} {self.year}: Rp{self.amount_rupiah}"


class BusinessType(models.TextChoices):
    SHOP = "warung", _("Warung/toko kelontong")
    FOOD = "kuliner", _("Makanan dan minuman")
    FARMING = "pertanian", _("Pertanian")
    LIVESTOCK = "peternakan", _("Peternakan")
    FISHERY = "perikanan", _("Perikanan")
    CRAFT = "kerajinan", _("Kerajinan")
    SERVICE = "jasa", _("Jasa (jahit, cukur, bengkel, …)")
    TRADE = "dagang", _("Dagang keliling")
    OTHER = "lainnya", _("Lainnya")


class Grant(models.Model):
    """A UEP business grant (bantuan modal usaha) to a graduated household: at most one per program.

    It is paid through the payments module (a UEP cycle, ``payments.Payment.grant``): while approved it waits
    for a cycle or for the bank; the reconciliation's BERHASIL makes it *disbursed* on the credit date.
    """

    SCOPE_REGION_PATH = "household__region__code"
    SCOPE_HOUSEHOLD_PATH = "household_id"

    class Status(models.TextChoices):
        APPLIED = "applied", _("Diajukan")
        APPROVED = "approved", _("Disetujui")
        REJECTED = "rejected", _("Ditolak")
        DISBURSED = "disbursed", _("Disalurkan")

    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="uep_grants",
                                  verbose_name=_("keluarga"))
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="uep_grants",
                                verbose_name=_("program"))
    graduation = models.ForeignKey(Graduation, on_delete=models.PROTECT, related_name="grants",
                                   verbose_name=_("graduasi"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.APPLIED)
    business_type = models.CharField(_("jenis usaha"), max_length=12, choices=BusinessType.choices)
    business_plan = models.TextField(_("rencana usaha"))
    location = models.CharField(_("lokasi usaha"), max_length=255)
    amount_requested_rupiah = models.PositiveBigIntegerField(_("nilai diajukan (Rp)"))
    amount_approved_rupiah = models.PositiveBigIntegerField(_("nilai disetujui (Rp)"), null=True, blank=True)
    income_before_rupiah = models.PositiveBigIntegerField(
        _("penghasilan keluarga per bulan saat mengajukan (Rp)"),
        help_text=_("Dasar untuk menilai perubahan penghasilan pada tindak lanjut."))
    budget_year = models.PositiveSmallIntegerField(_("tahun anggaran"), null=True, blank=True)
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("diajukan oleh"))
    applied_at = models.DateTimeField(_("diajukan pada"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("diputuskan oleh"))
    decided_at = models.DateTimeField(_("diputuskan pada"), null=True, blank=True)
    decision_note = models.TextField(_("catatan keputusan"), blank=True)
    disbursed_on = models.DateField(_("tanggal disalurkan"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-applied_at", "-pk"]
        verbose_name = _("bantuan UEP")
        verbose_name_plural = _("bantuan UEP")
        constraints = [
            models.UniqueConstraint(fields=["household", "program"], condition=~Q(status="rejected"),
                                    name="one_uep_grant_per_household_program"),
            models.CheckConstraint(name="grant_requested_positive", condition=Q(amount_requested_rupiah__gt=0)),
            models.CheckConstraint(name="granted_amount_set",
                                   condition=~Q(status__in=["approved", "disbursed"])
                                   | Q(amount_approved_rupiah__gt=0, budget_year__isnull=False)),
            models.CheckConstraint(name="disbursed_grant_has_date",
                                   condition=~Q(status="disbursed") | Q(disbursed_on__isnull=False)),
        ]
        indexes = [models.Index(fields=["program", "budget_year", "status"])]

    def __str__(self):
        return f"UEP {self.program} · {self.household_id} · {self.get_status_display()}"

    def follow_up_due_on(self, months: int) -> date | None:
        return add_months(self.disbursed_on, months) if self.disbursed_on else None


class GrantFollowUp(models.Model):
    """The pendamping's check of a funded business at 3, 6 or 12 months: still running? income now?"""

    SCOPE_REGION_PATH = "grant__household__region__code"
    SCOPE_HOUSEHOLD_PATH = "grant__household_id"

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="follow_ups")
    months = models.PositiveSmallIntegerField(_("bulan ke-"), choices=[(m, m) for m in FOLLOW_UP_MONTHS])
    visited_on = models.DateField(_("tanggal kunjungan"))
    business_running = models.BooleanField(_("usaha masih berjalan"))
    income_rupiah = models.PositiveBigIntegerField(_("penghasilan keluarga per bulan (Rp)"))
    notes = models.TextField(_("catatan"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("dicatat oleh"))
    recorded_at = models.DateTimeField(default=timezone.now)
    client_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["grant", "months"]
        verbose_name = _("tindak lanjut UEP")
        verbose_name_plural = _("tindak lanjut UEP")
        constraints = [
            models.UniqueConstraint(fields=["grant", "months"], name="one_follow_up_per_grant_milestone"),
            models.CheckConstraint(name="follow_up_milestone", condition=Q(months__in=FOLLOW_UP_MONTHS)),
        ]

    def __str__(self):
        return f"{self.grant_id} +{self.months} bln: {'jalan' if self.business_running else 'berhenti'}"

    @property
    def income_change_rupiah(self) -> int:
        return self.income_rupiah - self.grant.income_before_rupiah
