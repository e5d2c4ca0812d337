"""Grievances (pengaduan): a complaint from anyone, its ticket, its SLA clocks and every step taken on it."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Category(models.TextChoices):
    NOT_RECEIVED = "not_received", _("Bantuan tidak diterima")
    CUT = "cut", _("Bantuan dipotong/disunat oknum")
    WRONG_TARGET = "wrong_target", _("Salah sasaran")
    DATA_ERROR = "data_error", _("Data tidak sesuai")
    FACILITATOR = "facilitator", _("Perilaku pendamping")
    OTHER = "other", _("Lainnya")


class Status(models.TextChoices):
    RECEIVED = "received", _("Diterima")
    ACKNOWLEDGED = "acknowledged", _("Ditanggapi petugas")
    INVESTIGATING = "investigating", _("Sedang diperiksa")
    RESOLVED = "resolved", _("Selesai")
    REJECTED = "rejected", _("Ditutup tanpa tindak lanjut")


OPEN_STATUSES = (Status.RECEIVED, Status.ACKNOWLEDGED, Status.INVESTIGATING)
CLOSED_STATUSES = (Status.RESOLVED, Status.REJECTED)


class Outcome(models.TextChoices):
    """What the investigation found; required to close a grievance."""

    SUBSTANTIATED = "substantiated", _("Terbukti dan sudah ditindaklanjuti")
    CORRECTED = "corrected", _("Data atau penyaluran diperbaiki")
    NOT_SUBSTANTIATED = "not_substantiated", _("Tidak terbukti")
    REFERRED = "referred", _("Dirujuk ke instansi yang berwenang")
    DUPLICATE = "duplicate", _("Pengaduan ganda")
    INSUFFICIENT = "insufficient", _("Informasi tidak cukup untuk ditindaklanjuti")


class Channel(models.TextChoices):
    WEB = "web", _("Formulir web")
    API = "api", _("API")
    STAFF = "staff", _("Dicatat petugas")


def photo_path(instance, filename: str) -> str:
    """A random name: the uploader's file name may carry personal data."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"grievances/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{ext}"


class Grievance(models.Model):
    """One complaint. The ticket is the only thing the public ever sees besides status and public response."""

    SCOPE_REGION_PATH = "region__code"
    SCOPE_HOUSEHOLD_PATH = "household_id"

    Category = Category
    Status = Status
    Outcome = Outcome

    ticket = models.CharField(_("nomor tiket"), max_length=18, unique=True, editable=False)
    category = models.CharField(_("jenis pengaduan"), max_length=20, choices=Category.choices)
    program_code = models.CharField(_("program"), max_length=20, blank=True,
                                    help_text=_("Kode program bila pelapor mengetahuinya, mis. JSCM."))
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("desa/kelurahan"))
    description = models.TextField(_("uraian"))
    reporter_name = models.CharField(_("nama pelapor"), max_length=120, blank=True)
    contact = models.CharField(_("kontak pelapor"), max_length=100, blank=True)
    is_anonymous = models.BooleanField(_("anonim"), default=False)
    nik = models.CharField(_("NIK terkait"), max_length=16, blank=True)
    no_kk = models.CharField(_("No. KK terkait"), max_length=16, blank=True)
    photo = models.FileField(_("foto"), upload_to=photo_path, blank=True)
    channel = models.CharField(_("saluran"), max_length=10, choices=Channel.choices, default=Channel.WEB)

    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.RECEIVED)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="assigned_grievances", verbose_name=_("ditangani oleh"))
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="grievances", verbose_name=_("keluarga terkait"))
    subject_facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("pendamping yang diadukan"),
        help_text=_("Pengaduan ini tidak pernah terlihat oleh pendamping tersebut."),
    )

    filed_at = models.DateTimeField(_("diajukan pada"), default=timezone.now)
    acknowledge_due_at = models.DateTimeField(_("batas waktu tanggapan"))
    resolve_due_at = models.DateTimeField(_("batas waktu penyelesaian"))
    acknowledged_at = models.DateTimeField(_("ditanggapi pada"), null=True, blank=True)
    closed_at = models.DateTimeField(_("ditutup pada"), null=True, blank=True)
    escalated = models.BooleanField(_("dieskalasi ke provinsi"), default=False)
    escalated_at = models.DateTimeField(_("dieskalasi pada"), null=True, blank=True)
    outcome = models.CharField(_("hasil"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("catatan hasil"), blank=True)
    public_response = models.TextField(_("tanggapan untuk publik"), blank=True)
    public_updated_at = models.DateTimeField(_("pembaruan publik terakhir"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pengaduan")
        verbose_name_plural = _("pengaduan")
        ordering = ["-filed_at"]
        indexes = [
            models.Index(fields=["region"], name="grievance_region_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["status", "resolve_due_at"]),
            models.Index(fields=["status", "acknowledge_due_at"]),
            models.Index(fields=["escalated", "status"]),
            models.Index(fields=["filed_at"]),
            models.Index(fields=["assigned_to", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="grievance_closed_has_outcome",
                condition=~Q(status__in=[s.value for s in CLOSED_STATUSES])
                | (~Q(outcome="") & Q(closed_at__isnull=False)),
            ),
            models.CheckConstraint(name="grievance_anonymous_keeps_no_identity",
                                   condition=Q(is_anonymous=False) | Q(reporter_name="", contact="")),
            models.CheckConstraint(name="grievance_escalated_has_time",
                                   condition=Q(escalated=False) | Q(escalated_at__isnull=False)),
        ]

    def __str__(self):
        return self.ticket

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def acknowledge_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == Status.RECEIVED and now > self.acknowledge_due_at

    def resolve_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        return self.is_open and now > self.resolve_due_at

    def is_overdue(self, now=None) -> bool:
        return self.acknowledge_overdue(now) or self.resolve_overdue(now)

    @property
    def current_due_at(self):
        """The clock that matters now: acknowledgement until acknowledged, then resolution."""
        if not self.is_open:
            return None
        return self.acknowledge_due_at if self.status == Status.RECEIVED else self.resolve_due_at


class GrievanceEvent(models.Model):
    """One step on a grievance: who, when, from which status to which, and the note written with it."""

    class Action(models.TextChoices):
        FILED = "filed", _("Pengaduan diterima")
        ACKNOWLEDGED = "acknowledged", _("Ditanggapi")
        INVESTIGATING = "investigating", _("Pemeriksaan dimulai")
        ASSIGNED = "assigned", _("Ditugaskan")
        NOTE = "note", _("Catatan pemeriksaan")
        HOUSEHOLD_LINKED = "household_linked", _("Dikaitkan dengan keluarga")
        SUBJECT_SET = "subject_set", _("Pendamping yang diadukan dicatat")
        RESPONSE = "response", _("Tanggapan publik diperbarui")
        ESCALATED = "escalated", _("Dieskalasi ke provinsi")
        RESOLVED = "resolved", _("Diselesaikan")
        REJECTED = "rejected", _("Ditutup tanpa tindak lanjut")
        REOPENED = "reopened", _("Dibuka kembali")

    grievance = models.ForeignKey(Grievance, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=Action.choices)
    from_status = models.CharField(max_length=14, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=14, choices=Status.choices, blank=True)
    note = models.TextField(_("catatan"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                           related_name="+", verbose_name=_("oleh"))
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["grievance", "at"])]

    def __str__(self):
        return f"{self.grievance_id} {self.action} {self.at:%Y-%m-%d}"
