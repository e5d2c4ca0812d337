"""Users with a role and a region scope, API tokens, the access log and job progress."""

import hashlib
import secrets
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .roles import REGION_SCOPED_ROLES, Role


class User(AbstractUser):
    """A staff or partner account: one role, one region scope (a Kemendagri code prefix)."""

    role = models.CharField(_("peran"), max_length=20, choices=Role.choices, blank=True)
    scope = models.CharField(
        _("cakupan wilayah"), max_length=13, blank=True,
        help_text=_("Kode wilayah Kemendagri, mis. 36 (Banten) atau 36.72 (Kota Cilegon)."),
    )
    organization = models.CharField(_("instansi"), max_length=120, blank=True)
    bank_code = models.CharField(_("kode bank"), max_length=20, blank=True)
    sector = models.CharField(_("sektor OPD"), max_length=40, blank=True)

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="user_region_role_has_scope",
                condition=~models.Q(role__in=sorted(r.value for r in REGION_SCOPED_ROLES)) | ~models.Q(scope=""),
            ),
        ]

    @property
    def role_label(self) -> str:
        return "superuser" if self.is_superuser else self.get_role_display()

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or self.role in roles


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the API; only its SHA-256 is stored, the raw value is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80, blank=True)
    prefix = models.CharField(max_length=8)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    @classmethod
    def issue(cls, *, user, name: str = "") -> tuple["ApiToken", str]:
        raw = "jsk_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=raw[4:12], digest=hash_token(raw))
        return token, raw

    def __str__(self):
        return f"{self.user} · {self.prefix}…"


class AccessLog(models.Model):
    """Reads of personal data that UU PDP wants on record: full NIK views, exports, partner reads."""

    class Action(models.TextChoices):
        VIEW_NIK = "view_nik", _("Melihat NIK lengkap")
        VIEW_DETAIL = "view_detail", _("Membaca data lengkap")
        EXPORT = "export", _("Ekspor data")
        API_DETAIL = "api_detail", _("Membaca data lengkap lewat API")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40)
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.object_type}:{self.object_id}"


class Job(models.Model):
    """Progress of one piece of background work, polled by pages and shown by commands."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Menunggu")
        RUNNING = "running", _("Berjalan")
        DONE = "done", _("Selesai")
        FAILED = "failed", _("Gagal")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=40)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jobs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=80, blank=True)
    total = models.PositiveBigIntegerField(default=0)
    done = models.PositiveBigIntegerField(default=0)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    input_file = models.FileField(upload_to="jobs/in/%Y/%m/", blank=True)
    output_file = models.FileField(upload_to="jobs/out/%Y/%m/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    def __str__(self):
        return f"{self.kind} {self.id} {self.status}"


class AuditEvent(models.Model):
    """Security-relevant actions, append-only: two-factor enrolment and removal, retention runs."""

    class Action(models.TextChoices):
        TOTP_ENROLLED = "totp_enrolled", _("Verifikasi dua langkah diaktifkan")
        TOTP_REMOVED = "totp_removed", _("Verifikasi dua langkah dihapus")
        RETENTION_APPLIED = "retention_applied", _("Retensi data diterapkan (pseudonimisasi)")

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    subject_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    action = models.CharField(max_length=30, choices=Action.choices)
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]

    @classmethod
    def record(cls, *, actor, action: str, subject_user=None, request=None, **detail) -> "AuditEvent":
        ip = request.META.get("REMOTE_ADDR") if request is not None else None
        return cls.objects.create(actor=actor, subject_user=subject_user, action=action, detail=detail,
                                  ip_address=ip or None)

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action}"
