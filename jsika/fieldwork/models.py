"""Field work: pendamping caseloads, home visits, P2K2 family sessions and commitment (compliance) checks.

Records made on a phone carry a client-made UUID (``client_id``, unique) and a hash of their content,
so a replayed sync never stores anything twice and a reused id with other content is recognised.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# Visits and sessions entered more than this many days after the activity count as late.
LATE_AFTER_DAYS = 7
PHOTO_MAX_BYTES = 200 * 1024


class CaseloadAssignment(models.Model):
    """One household in one pendamping's caseload; ending it keeps the row for history."""

    SCOPE_REGION_PATH = "household__region__code"
    SCOPE_HOUSEHOLD_PATH = "household_id"

    facilitator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="caseload", verbose_name=_("pendamping"))
    household = models.ForeignKey("registry.Household", on_delete=models.CASCADE, related_name="caseload")
    assigned_at = models.DateTimeField(auto_now_add=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("ditugaskan oleh"))
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("diakhiri oleh"))
    end_reason = models.CharField(_("alasan berakhir"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("keluarga dampingan")
        verbose_name_plural = _("keluarga dampingan")
        constraints = [
            models.UniqueConstraint(fields=["household"], condition=models.Q(ended_at__isnull=True),
                                    name="one_active_facilitator_per_household"),
        ]
        indexes = [models.Index(fields=["facilitator", "ended_at"])]

    def __str__(self):
        return f"{self.facilitator} → {self.household_id}"


class SyncedRecord(models.Model):
    """What every record made on a phone carries: its client id, device and the three clocks."""

    client_id = models.UUIDField(_("ID dari perangkat"), unique=True, editable=False)
    device_id = models.CharField(_("perangkat"), max_length=100, blank=True)
    recorded_at = models.DateTimeField(_("dicatat di perangkat"), null=True, blank=True)
    received_at = models.DateTimeField(_("diterima server"), default=timezone.now, db_index=True)
    # Days between the activity and its arrival on the server, and seconds from the phone's clock to the
    # server's: stored when received so supervisors' reports aggregate them on any database engine.
    entry_delay_days = models.IntegerField(_("selisih hari input"), default=0)
    sync_lag_seconds = models.BigIntegerField(_("jeda sinkronisasi (detik)"), null=True, blank=True)
    content_hash = models.CharField(max_length=64, editable=False)

    class Meta:
        abstract = True

    @property
    def is_late(self) -> bool:
        return self.entry_delay_days > LATE_AFTER_DAYS


class VisitPurpose(models.TextChoices):
    MONITORING = "pemantauan", _("Pemantauan")
    VERIFICATION = "verifikasi", _("Verifikasi")
    MENTORING = "pendampingan", _("Pendampingan")
    OTHER = "lainnya", _("Lainnya")


class Problem(models.TextChoices):
    """Problems a pendamping can find in a family during a visit."""

    STUNTING_RISK = "risiko_stunting", _("Risiko stunting")
    DROPOUT = "putus_sekolah", _("Anak putus sekolah")
    ILLNESS = "sakit", _("Anggota keluarga sakit")
    DOMESTIC = "masalah_rumah_tangga", _("Masalah rumah tangga (KDRT, penelantaran)")


class Visit(SyncedRecord):
    """A home visit (kunjungan rumah): who, when, why, what was found, where, with a photo.

    ``condition`` holds the family's structured condition::

        {"school": [{"person": 12, "attendance_percent": 90}],
         "pregnant": [{"person": 13, "antenatal_checked": true, "check_count": 3}],
         "toddlers": [{"person": 14, "weighed": true, "weight_kg": 9.8}],
         "problems": ["risiko_stunting"]}
    """

    SCOPE_REGION_PATH = "household__region__code"
    SCOPE_HOUSEHOLD_PATH = "household_id"

    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="visits",
                                  verbose_name=_("keluarga"))
    facilitator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visits",
                                    verbose_name=_("pendamping"))
    visited_on = models.DateField(_("tanggal kunjungan"))
    purpose = models.CharField(_("tujuan"), max_length=20, choices=VisitPurpose.choices)
    notes = models.TextField(_("catatan"), blank=True)
    condition = models.JSONField(_("kondisi keluarga"), default=dict, blank=True)
    problems = models.JSONField(_("masalah ditemukan"), default=list, blank=True)
    latitude = models.FloatField(_("lintang"), null=True, blank=True)
    longitude = models.FloatField(_("bujur"), null=True, blank=True)
    photo = models.FileField(_("foto"), upload_to="fieldwork/kunjungan/%Y/%m/", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kunjungan rumah")
        verbose_name_plural = _("kunjungan rumah")
        ordering = ["-visited_on", "-pk"]
        indexes = [
            models.Index(fields=["facilitator", "visited_on"]),
            models.Index(fields=["household", "visited_on"]),
        ]
        constraints = [
            models.CheckConstraint(name="visit_latitude_range",
                                   condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90)),
            models.CheckConstraint(name="visit_longitude_range",
                                   condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180)),
        ]

    def __str__(self):
        return f"{self.visited_on} {self.household_id} ({self.get_purpose_display()})"

    @property
    def has_gps(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def problem_labels(self) -> list[str]:
        return [str(Problem(p).label) for p in self.problems if p in Problem.values]


class Module(models.Model):
    """A P2K2 (family capacity) module; the five standard ones are seeded as data and may be edited."""

    number = models.PositiveSmallIntegerField(_("nomor"), unique=True)
    code = models.SlugField(_("kode"), max_length=40, unique=True)
    name = models.CharField(_("nama"), max_length=120)
    description = models.TextField(_("keterangan"), blank=True)
    session_count = models.PositiveSmallIntegerField(_("jumlah sesi"), default=3)
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        verbose_name = _("modul P2K2")
        verbose_name_plural = _("modul P2K2")
        ordering = ["number"]

    def __str__(self):
        return f"{self.number}. {self.name}"


class FamilySession(SyncedRecord):
    """A P2K2 group meeting of KPM in one desa on one session of a module."""

    SCOPE_REGION_PATH = "region__code"
    SCOPE_HOUSEHOLD_PATH = "attendances__household_id"

    facilitator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="family_sessions", verbose_name=_("pendamping"))
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("desa/kelurahan"))
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("modul"))
    session_number = models.PositiveSmallIntegerField(_("sesi ke"))
    held_on = models.DateField(_("tanggal"))
    place = models.CharField(_("tempat"), max_length=200, blank=True)
    notes = models.TextField(_("catatan"), blank=True)
    latitude = models.FloatField(_("lintang"), null=True, blank=True)
    longitude = models.FloatField(_("bujur"), null=True, blank=True)
    photo = models.FileField(_("foto"), upload_to="fieldwork/p2k2/%Y/%m/", blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pertemuan P2K2")
        verbose_name_plural = _("pertemuan P2K2")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["facilitator", "held_on"]), models.Index(fields=["region", "held_on"])]
        constraints = [models.CheckConstraint(name="session_number_positive", condition=Q(session_number__gte=1))]

    def __str__(self):
        return f"{self.held_on} {self.module.name} sesi {self.session_number} ({self.region_id})"

    @property
    def has_gps(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class AbsenceReason(models.TextChoices):
    ILL = "sakit", _("Sakit")
    WORKING = "bekerja", _("Bekerja")
    FAMILY = "urusan_keluarga", _("Urusan keluarga")
    AWAY = "bepergian", _("Bepergian")
    NONE = "tanpa_keterangan", _("Tanpa keterangan")


class Attendance(models.Model):
    """Whether one household came to one P2K2 session (and why not)."""

    SCOPE_REGION_PATH = "household__region__code"
    SCOPE_HOUSEHOLD_PATH = "household_id"

    client_id = models.UUIDField(_("ID dari perangkat"), unique=True, editable=False)
    session = models.ForeignKey(FamilySession, on_delete=models.CASCADE, related_name="attendances")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="p2k2_attendances",
                                  verbose_name=_("keluarga"))
    present = models.BooleanField(_("hadir"))
    absence_reason = models.CharField(_("alasan tidak hadir"), max_length=20, choices=AbsenceReason.choices,
                                      blank=True)
    recorded_at = models.DateTimeField(_("dicatat di perangkat"), null=True, blank=True)
    received_at = models.DateTimeField(_("diterima server"), default=timezone.now)
    content_hash = models.CharField(max_length=64, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kehadiran P2K2")
        verbose_name_plural = _("kehadiran P2K2")
        constraints = [
            models.UniqueConstraint(fields=["session", "household"], name="one_attendance_per_session_household"),
            models.CheckConstraint(name="absent_has_reason_present_has_none",
                                   condition=Q(present=True, absence_reason="") | Q(present=False)
                                   & ~Q(absence_reason="")),
        ]

    def __str__(self):
        return f"{self.session_id} {self.household_id}: {'hadir' if self.present else self.absence_reason}"


# --- compliance (verifikasi komitmen) --------------------------------------------------------------

class Condition(models.TextChoices):
    """The commitments a KPM makes (PKH practice), verified monthly by the pendamping."""

    SCHOOL = "school_attendance", _("Kehadiran sekolah anak ≥ 85%")
    ANTENATAL = "antenatal", _("Pemeriksaan kehamilan")
    TODDLER = "toddler_weighing", _("Penimbangan balita di Posyandu")
    P2K2 = "p2k2", _("Kehadiran P2K2")


class CheckStatus(models.TextChoices):
    MET = "met", _("Memenuhi")
    NOT_MET = "not_met", _("Tidak memenuhi")
    UNKNOWN = "unknown", _("Belum ada data")


class ComplianceRule(models.Model):
    """A program's commitment rules as data: which conditions apply and what non-compliance leads to.

    A program without a rule uses the defaults (all four conditions, 85% school attendance, one
    warning, then suspension when non-compliance repeats within three months).
    """

    program = models.OneToOneField("programs.Program", on_delete=models.CASCADE, related_name="compliance_rule")
    school_min_percent = models.PositiveSmallIntegerField(_("kehadiran sekolah minimal (%)"), default=85)
    require_school = models.BooleanField(_("wajib kehadiran sekolah"), default=True)
    require_antenatal = models.BooleanField(_("wajib periksa kehamilan"), default=True)
    require_toddler_weighing = models.BooleanField(_("wajib penimbangan balita"), default=True)
    require_p2k2 = models.BooleanField(_("wajib hadir P2K2"), default=True)
    warnings_before_suspension = models.PositiveSmallIntegerField(_("peringatan sebelum penangguhan"), default=1)
    lookback_months = models.PositiveSmallIntegerField(
        _("jangka waktu pengulangan (bulan)"), default=3,
        help_text=_("Ketidakpatuhan dihitung berulang bila terjadi lagi dalam sekian bulan."))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("aturan komitmen")
        verbose_name_plural = _("aturan komitmen")
        constraints = [
            models.CheckConstraint(name="school_min_percent_0_100", condition=Q(school_min_percent__lte=100)),
            models.CheckConstraint(name="lookback_at_least_one_month", condition=Q(lookback_months__gte=1)),
        ]

    def __str__(self):
        return f"{self.program}"

    def conditions(self) -> list[str]:
        wanted = [(self.require_school, Condition.SCHOOL), (self.require_antenatal, Condition.ANTENATAL),
                  (self.require_toddler_weighing, Condition.TODDLER), (self.require_p2k2, Condition.P2K2)]
        return [c.value for on, c in wanted if on]


class ComplianceCheck(models.Model):
    """Whether one KPM met one commitment in one month (``period`` = ``YYYY-MM``).

    Computed from recorded visits and attendance; a pendamping's confirmation overrides the
    computation and is kept when it runs again.
    """

    SCOPE_REGION_PATH = "household__region__code"
    SCOPE_HOUSEHOLD_PATH = "household_id"

    enrollment = models.ForeignKey("programs.Enrollment", on_delete=models.CASCADE, related_name="compliance_checks")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="compliance_checks")
    period = models.CharField(_("periode"), max_length=7, help_text="YYYY-MM")
    condition = models.CharField(_("komitmen"), max_length=20, choices=Condition.choices)
    status = models.CharField(_("status"), max_length=10, choices=CheckStatus.choices, default=CheckStatus.UNKNOWN)
    computed_status = models.CharField(_("hasil perhitungan"), max_length=10, choices=CheckStatus.choices,
                                       default=CheckStatus.UNKNOWN)
    detail = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("dikonfirmasi oleh"))
    confirmed_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("catatan"), max_length=255, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("verifikasi komitmen")
        verbose_name_plural = _("verifikasi komitmen")
        ordering = ["-period", "household", "condition"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "period", "condition"], name="one_check_per_condition"),
            models.CheckConstraint(name="period_is_year_month", condition=Q(period__regex=r"^\d{4}-(0[1-9]|1[0-2])$")),
        ]
        indexes = [models.Index(fields=["period", "status"]), models.Index(fields=["household", "period"])]

    def __str__(self):
        return f"{self.period} {self.enrollment_id} {self.condition}: {self.status}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class ComplianceAction(models.Model):
    """What non-compliance in a period led to for one enrollment: a warning, then a suspension."""

    SCOPE_REGION_PATH = "household__region__code"
    SCOPE_HOUSEHOLD_PATH = "household_id"

    class Kind(models.TextChoices):
        WARNING = "warning", _("Peringatan")
        SUSPENSION = "suspension", _("Penangguhan")

    enrollment = models.ForeignKey("programs.Enrollment", on_delete=models.CASCADE, related_name="compliance_actions")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("periode"), max_length=7)
    kind = models.CharField(_("tindakan"), max_length=12, choices=Kind.choices)
    reason = models.TextField(_("alasan"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("tindak lanjut komitmen")
        verbose_name_plural = _("tindak lanjut komitmen")
        ordering = ["-period", "-at"]
        constraints = [models.UniqueConstraint(fields=["enrollment", "period"], name="one_action_per_period")]

    def __str__(self):
        return f"{self.period} {self.enrollment_id}: {self.kind}"
