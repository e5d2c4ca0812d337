"""Payments: bank accounts and cards of KPM, budgets per funder, payment cycles, payments and reconciliation.

Money is whole rupiah in integer ``_rupiah`` fields. The database itself refuses a second live payment
to a household for the same program and period (``one_live_payment_per_household_period``), and refuses
a cycle verified or approved by the person who generated it (``cycle_*_by_another``).
"""

import calendar
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# Banks that pay programs (Program.bank_code, ProgramBank.bank_code, User.bank_code use these codes).
BANKS = {
    "BJB": "Bank BJB",
    "BRI": "Bank Rakyat Indonesia (BRI)",
    "BANTEN": "Bank Banten",
    "BNI": "Bank Negara Indonesia (BNI)",
    "MANDIRI": "Bank Mandiri",
    "BSI": "Bank Syariah Indonesia (BSI)",
}


def bank_label(code: str) -> str:
    return BANKS.get(code, code)


def period_bounds(year: int, stage: int, per_year: int) -> tuple[date, date]:
    """First and last day of stage ``stage`` of ``per_year`` equal stages of ``year`` (whole months)."""
    first_month = (stage - 1) * 12 // per_year + 1
    last_month = stage * 12 // per_year
    return date(year, first_month, 1), date(year, last_month, calendar.monthrange(year, last_month)[1])


def period_months(year: int, stage: int, per_year: int) -> list[str]:
    """The months (``YYYY-MM``) a stage covers: the periods of commitment verification it depends on."""
    start, end = period_bounds(year, stage, per_year)
    return [f"{year:04d}-{m:02d}" for m in range(start.month, end.month + 1)]


def period_label(year: int, stage: int) -> str:
    return f"{year} tahap {stage}"


class BankAccount(models.Model):
    """A KPM's savings account at a paying bank (Bank BJB opened them free of charge for JSCM)."""

    SCOPE_REGION_PATH = "household__region__code"
    SCOPE_HOUSEHOLD_PATH = "household_id"

    class Status(models.TextChoices):
        ACTIVE = "active", _("Aktif")
        INACTIVE = "inactive", _("Tidak aktif (dorman)")
        CLOSED = "closed", _("Ditutup")

    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="bank_accounts",
                                  verbose_name=_("keluarga"))
    person = models.ForeignKey("registry.Person", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="bank_accounts", verbose_name=_("pemilik (anggota keluarga)"))
    bank_code = models.CharField(_("bank"), max_length=20)
    account_number = models.CharField(_("nomor rekening"), max_length=30)
    holder_name = models.CharField(_("nama pemilik rekening"), max_length=150)
    holder_nik = models.CharField(_("NIK pemilik rekening"), max_length=16)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    opened_on = models.DateField(_("dibuka pada"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rekening bank")
        verbose_name_plural = _("rekening bank")
        ordering = ["household", "bank_code"]
        constraints = [
            models.UniqueConstraint(fields=["bank_code", "account_number"], name="one_account_number_per_bank"),
            models.UniqueConstraint(fields=["household", "bank_code"], condition=Q(status="active"),
                                    name="one_active_account_per_household_bank"),
            models.CheckConstraint(name="account_number_not_empty", condition=~Q(account_number="")),
        ]

    def __str__(self):
        return f"{self.bank_code} {self.account_number}"


class CardService(models.TextChoices):
    """What a kartu Multiguna gives its holder (recorded as data, per card)."""

    BANK = "bank", _("ATM dan tabungan bank")
    MINIMARKET = "minimarket", _("Belanja di minimarket")
    HEALTH = "kesehatan", _("Layanan kesehatan gratis")
    SCHOOL = "sekolah", _("Sekolah gratis")
    BUS = "bus", _("Naik bus Damri gratis")


class Card(models.Model):
    """A kartu Multiguna (multi-purpose card) held by a KPM."""

    SCOPE_REGION_PATH = "household__region__code"
    SCOPE_HOUSEHOLD_PATH = "household_id"

    class Status(models.TextChoices):
        ISSUED = "issued", _("Diterbitkan")
        ACTIVE = "active", _("Aktif")
        BLOCKED = "blocked", _("Diblokir")
        REPLACED = "replaced", _("Diganti")

    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="cards",
                                  verbose_name=_("keluarga"))
    person = models.ForeignKey("registry.Person", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("pemegang kartu"))
    number = models.CharField(_("nomor kartu"), max_length=20, unique=True)
    bank_account = models.ForeignKey(BankAccount, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="cards", verbose_name=_("rekening"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ISSUED)
    services = models.JSONField(_("layanan"), default=list, blank=True,
                                help_text=_("Kode layanan kartu: bank, minimarket, kesehatan, sekolah, bus."))
    issued_on = models.DateField(_("diterbitkan pada"), default=timezone.localdate)
    blocked_reason = models.CharField(_("alasan blokir/penggantian"), max_length=255, blank=True)
    replaces = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="replaced_by", verbose_name=_("menggantikan kartu"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kartu Multiguna")
        verbose_name_plural = _("kartu Multiguna")
        ordering = ["household", "-issued_on"]
        constraints = [
            models.UniqueConstraint(fields=["household"], condition=Q(status__in=["issued", "active"]),
                                    name="one_usable_card_per_household"),
        ]

    def __str__(self):
        return self.number

    @property
    def service_labels(self) -> list[str]:
        return [str(CardService(s).label) for s in self.services if s in CardService.values]


class Budget(models.Model):
    """One funder's allocation (APBD) for a program's benefits in one year, in whole rupiah."""

    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="budgets",
                                verbose_name=_("program"))
    year = models.PositiveSmallIntegerField(_("tahun anggaran"))
    funder_region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("penyandang dana"))
    allocated_rupiah = models.PositiveBigIntegerField(_("pagu (Rp)"))
    note = models.CharField(_("catatan/dasar"), max_length=255, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("anggaran")
        verbose_name_plural = _("anggaran")
        ordering = ["program", "-year", "funder_region"]
        constraints = [
            models.UniqueConstraint(fields=["program", "year", "funder_region"], name="one_budget_per_funder_year"),
        ]

    def __str__(self):
        return f"{self.program} {self.year} {self.funder_region_id}: Rp{self.allocated_rupiah}"


class CycleKind(models.TextChoices):
    """What a cycle pays: a stage of the program's benefit, or one-off UEP business grants (bantuan modal usaha)."""

    BENEFIT = "benefit", _("Bantuan sosial (tahap)")
    UEP = "uep", _("Bantuan modal usaha (UEP)")


class CycleStatus(models.TextChoices):
    GENERATED = "generated", _("Dibuat")
    VERIFIED = "verified", _("Diverifikasi")
    APPROVED = "approved", _("Disetujui")
    SENT = "sent", _("Dikirim ke bank")
    RECONCILED = "reconciled", _("Direkonsiliasi")
    CLOSED = "closed", _("Ditutup")
    CANCELLED = "cancelled", _("Dibatalkan")


# From approval on, a cycle's money is committed and its payments are immutable (only reversed).
COMMITTED_CYCLE_STATUSES = (CycleStatus.APPROVED, CycleStatus.SENT, CycleStatus.RECONCILED, CycleStatus.CLOSED)
# Statuses in which the bank may take the file and send its reconciliation.
BANK_WORK_STATUSES = (CycleStatus.APPROVED, CycleStatus.SENT, CycleStatus.RECONCILED)


class PaymentCycle(models.Model):
    """One disbursement round (tahap penyaluran) of a program through one bank, over one area.

    generated → verified → approved → sent → reconciled → closed, each step by another person.
    The counts and sums are cached from the payments after every change (``services.refresh_totals``).
    """

    Status = CycleStatus
    Kind = CycleKind

    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="payment_cycles",
                                verbose_name=_("program"))
    kind = models.CharField(_("jenis"), max_length=10, choices=CycleKind.choices, default=CycleKind.BENEFIT)
    # A UEP cycle: ``year`` is the grants' budget year, ``stage`` the month of ``scheduled_on``.
    year = models.PositiveSmallIntegerField(_("tahun"))
    stage = models.PositiveSmallIntegerField(_("tahap"))
    scheduled_on = models.DateField(_("tanggal penyaluran direncanakan"), null=True, blank=True)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("wilayah"))
    bank_code = models.CharField(_("bank penyalur"), max_length=20)
    note = models.CharField(_("keterangan"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=CycleStatus.choices, default=CycleStatus.GENERATED)
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("dibuat oleh"))
    generated_at = models.DateTimeField(_("dibuat pada"), default=timezone.now)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("diverifikasi oleh"))
    verified_at = models.DateTimeField(_("diverifikasi pada"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("disetujui oleh"))
    approved_at = models.DateTimeField(_("disetujui pada"), null=True, blank=True)
    sent_at = models.DateTimeField(_("berkas diambil pada"), null=True, blank=True)
    reconciled_at = models.DateTimeField(_("direkonsiliasi pada"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("ditutup oleh"))
    closed_at = models.DateTimeField(_("ditutup pada"), null=True, blank=True)
    paid_on = models.DateField(_("tanggal penyaluran"), null=True, blank=True)
    # Cached totals (whole rupiah), refreshed by the services after every change of the cycle's payments.
    payment_count = models.PositiveIntegerField(default=0)
    total_rupiah = models.PositiveBigIntegerField(default=0)
    # count = pending + paid + failed; failed counts every GAGAL of the bank (then returned, re-issued or not
    # yet decided: unresolved). Reversed payments are outside the total.
    pending_count = models.PositiveIntegerField(default=0)
    paid_count = models.PositiveIntegerField(default=0)
    paid_rupiah = models.PositiveBigIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    failed_rupiah = models.PositiveBigIntegerField(default=0)
    unresolved_count = models.PositiveIntegerField(default=0)
    returned_count = models.PositiveIntegerField(default=0)
    returned_rupiah = models.PositiveBigIntegerField(default=0)
    reissued_count = models.PositiveIntegerField(default=0)
    reversed_count = models.PositiveIntegerField(default=0)
    flagged_count = models.PositiveIntegerField(default=0)
    excluded_count = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tahap penyaluran")
        verbose_name_plural = _("tahap penyaluran")
        ordering = ["-year", "-stage", "-generated_at"]
        constraints = [
            models.CheckConstraint(name="cycle_stage_1_12", condition=Q(stage__gte=1, stage__lte=12)),
            models.CheckConstraint(name="uep_cycle_has_date", condition=~Q(kind="uep") | Q(scheduled_on__isnull=False)),
            models.CheckConstraint(name="cycle_verified_by_another",
                                   condition=Q(verified_by__isnull=True) | ~Q(verified_by=F("generated_by"))),
            models.CheckConstraint(name="cycle_approved_by_another",
                                   condition=Q(approved_by__isnull=True)
                                   | (~Q(approved_by=F("generated_by")) & ~Q(approved_by=F("verified_by")))),
        ]
        indexes = [models.Index(fields=["program", "year", "stage"]), models.Index(fields=["bank_code", "status"])]

    def __str__(self):
        return f"{self.program.code} {self.period_label} · {self.bank_code} · {self.region_id}"

    @property
    def is_uep(self) -> bool:
        return self.kind == CycleKind.UEP

    @property
    def period_label(self) -> str:
        if self.is_uep:
            return f"UEP {self.year} · {self.scheduled_on:%d-%m-%Y}"
        return period_label(self.year, self.stage)

    @property
    def description(self) -> str:
        """``JSCM 2019 tahap 1`` (``JAMSOSRATU UEP 2021`` for grants): the ``keterangan`` of the bank file."""
        return f"{self.program.code} {self.bank_file_period}"

    @property
    def bank_file_period(self) -> str:
        return f"UEP {self.year}" if self.is_uep else period_label(self.year, self.stage)

    @property
    def bank_label(self) -> str:
        return bank_label(self.bank_code)

    @property
    def is_committed(self) -> bool:
        return self.status in COMMITTED_CYCLE_STATUSES

    def file_name(self) -> str:
        period = f"UEP-{self.year}" if self.is_uep else f"{self.year}-tahap{self.stage}"
        return f"penyaluran-{self.program.code}-{period}-{self.bank_code}-{self.pk}.csv"


class CycleEvent(models.Model):
    """One transition of a cycle (generated, verified, approved, file taken, reconciled, ...), who and when."""

    class Action(models.TextChoices):
        GENERATED = "generated", _("Dibuat")
        REGENERATED = "regenerated", _("Dibuat ulang")
        VERIFIED = "verified", _("Diverifikasi")
        APPROVED = "approved", _("Disetujui")
        EXPORTED = "exported", _("Berkas bank diambil")
        RECONCILED = "reconciled", _("Rekonsiliasi diimpor")
        REISSUED_IN = "reissued_in", _("Pembayaran gagal diterbitkan ulang ke tahap ini")
        RETURNED = "returned", _("Retur ke kas daerah")
        REVERSED = "reversed", _("Pembayaran dibatalkan")
        SETTLED = "settled", _("Selisih diselesaikan")
        CLOSED = "closed", _("Ditutup")
        CANCELLED = "cancelled", _("Dibatalkan")

    cycle = models.ForeignKey(PaymentCycle, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=12, choices=Action.choices)
    from_status = models.CharField(max_length=12, choices=CycleStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=CycleStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                           verbose_name=_("oleh"))
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(_("catatan"), blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.cycle_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Menunggu bank")
    PAID = "paid", _("Berhasil")
    FAILED = "failed", _("Gagal")
    RETURNED = "returned", _("Diretur ke kas daerah")
    REISSUED = "reissued", _("Diterbitkan ulang")
    REVERSED = "reversed", _("Dibatalkan")


# A household has at most one payment in these statuses per program and period (the database refuses more).
LIVE_PAYMENT_STATUSES = (PaymentStatus.PENDING, PaymentStatus.PAID, PaymentStatus.FAILED, PaymentStatus.RETURNED)
# Money committed against a budget (out of the treasury, or about to be).
COMMITTED_PAYMENT_STATUSES = (PaymentStatus.PENDING, PaymentStatus.PAID, PaymentStatus.FAILED)


class Payment(models.Model):
    """One household's transfer (penyaluran) in a cycle, with the bank account as it was sent.

    ``program``, ``year`` and ``stage`` repeat the cycle's period so the database can refuse a double
    payment even across two cycles generated at the same moment. ``id`` is the ``id_penyaluran`` of
    the bank file: never reused. A payment of a UEP cycle carries its ``grant``; the database refuses a
    second live payment of the same grant (``one_live_payment_per_grant``), so a grant is never paid twice.
    """

    SCOPE_REGION_PATH = "household__region__code"
    SCOPE_HOUSEHOLD_PATH = "household_id"

    Status = PaymentStatus
    # Fields that never change once the cycle is approved (reversal changes the status, not these).
    IMMUTABLE_FIELDS = ("cycle_id", "program_id", "year", "stage", "enrollment_id", "household_id", "bank_code",
                        "account_number", "holder_name", "holder_nik", "amount_rupiah", "region_code", "grant_id")

    # Indexes are few on purpose (a cycle inserts a million rows): the composite indexes below cover the
    # lookups by cycle, household and program; the other foreign keys are rarely searched.
    cycle = models.ForeignKey(PaymentCycle, on_delete=models.PROTECT, related_name="payments", db_index=False)
    program = models.ForeignKey("programs.Program", on_delete=models.PROTECT, related_name="+", db_index=False)
    year = models.PositiveSmallIntegerField(_("tahun"))
    stage = models.PositiveSmallIntegerField(_("tahap"))
    enrollment = models.ForeignKey("programs.Enrollment", on_delete=models.PROTECT, related_name="payments",
                                   db_index=False)
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="payments",
                                  db_index=False)
    region_code = models.CharField(_("kode wilayah"), max_length=13)
    bank_account = models.ForeignKey(BankAccount, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="payments", db_index=False)
    bank_code = models.CharField(_("bank"), max_length=20)
    account_number = models.CharField(_("nomor rekening"), max_length=30)
    holder_name = models.CharField(_("nama pemilik rekening"), max_length=150)
    holder_nik = models.CharField(_("NIK pemilik rekening"), max_length=16)
    amount_rupiah = models.PositiveBigIntegerField(_("nominal (Rp)"))
    status = models.CharField(_("status"), max_length=10, choices=PaymentStatus.choices,
                              default=PaymentStatus.PENDING)
    credited_amount_rupiah = models.PositiveBigIntegerField(_("nominal dikreditkan (Rp)"), null=True, blank=True)
    credited_on = models.DateField(_("tanggal dikreditkan"), null=True, blank=True)
    bank_reason = models.CharField(_("keterangan bank"), max_length=255, blank=True)
    flag_reason = models.CharField(_("selisih yang ditandai"), max_length=255, blank=True)
    grant = models.ForeignKey("graduation.Grant", on_delete=models.PROTECT, null=True, blank=True, db_index=False,
                              related_name="payments", verbose_name=_("bantuan UEP"))
    reissued_from = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, db_index=False,
                                      related_name="reissues", verbose_name=_("terbit ulang dari"))
    returned_on = models.DateField(_("tanggal retur"), null=True, blank=True)
    reversal_reason = models.CharField(_("alasan pembatalan"), max_length=255, blank=True)
    reversed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", db_index=False)
    reversed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    # A reconciliation writes a history row per payment: index only the payment id and the date there.
    history = HistoricalRecords(no_db_index=["cycle", "program", "enrollment", "household", "bank_account",
                                             "reissued_from", "reversed_by", "grant"])

    class Meta:
        verbose_name = _("penyaluran")
        verbose_name_plural = _("penyaluran")
        ordering = ["cycle", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["program", "household", "year", "stage"],
                                    condition=Q(status__in=["pending", "paid", "failed", "returned"],
                                                grant__isnull=True),
                                    name="one_live_payment_per_household_period"),
            # A UEP grant: one payment waiting, paid or failed-and-undecided at a time; a failed one is re-issued
            # (or returned) before the grant goes into another cycle. Paid is final: never paid twice.
            models.UniqueConstraint(fields=["grant"], condition=Q(status__in=["pending", "paid", "failed"],
                                                                  grant__isnull=False),
                                    name="one_live_payment_per_grant"),
            models.CheckConstraint(name="payment_amount_positive", condition=Q(amount_rupiah__gt=0)),
            models.CheckConstraint(name="paid_payment_has_credit",
                                   condition=~Q(status="paid") | Q(credited_amount_rupiah__isnull=False)),
            models.CheckConstraint(name="payment_stage_1_12", condition=Q(stage__gte=1, stage__lte=12)),
            # A payment is re-issued at most once (partial: the million payments never re-issued stay out).
            models.UniqueConstraint(fields=["reissued_from"], condition=Q(reissued_from__isnull=False),
                                    name="reissued_at_most_once"),
        ]
        indexes = [
            models.Index(fields=["cycle", "status"]),
            models.Index(fields=["household", "program"]),
            models.Index(fields=["grant"], condition=Q(grant__isnull=False), name="payment_grant_idx"),
        ]

    def __str__(self):
        return f"{self.pk} {self.holder_name} Rp{self.amount_rupiah} {self.status}"

    @property
    def period_label(self) -> str:
        return f"UEP {self.year}" if self.grant_id else period_label(self.year, self.stage)

    def save(self, *args, **kwargs):
        if self.pk and not self._state.adding:
            self._refuse_edit_after_approval()
        super().save(*args, **kwargs)

    def _refuse_edit_after_approval(self):
        stored = (Payment.objects.filter(pk=self.pk, cycle__status__in=COMMITTED_CYCLE_STATUSES)
                  .values(*self.IMMUTABLE_FIELDS).first())
        if stored and any(stored[f] != getattr(self, f) for f in self.IMMUTABLE_FIELDS):
            raise ValueError("A payment of an approved cycle cannot be edited; reverse it with a reason.")


class PaymentShare(models.Model):
    """The part of one payment a funder pays (cost sharing); a payment's shares add up to its amount."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="shares", db_index=False)
    # Region codes are reference data loaded once; a million shares skip the per-row foreign-key check.
    funder_region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", db_index=False,
                                      db_constraint=False, verbose_name=_("penyandang dana"))
    amount_rupiah = models.PositiveBigIntegerField(_("nominal (Rp)"))

    history = HistoricalRecords(no_db_index=["payment", "funder_region"])

    class Meta:
        verbose_name = _("bagian pendanaan")
        verbose_name_plural = _("bagian pendanaan")
        constraints = [
            models.UniqueConstraint(fields=["payment", "funder_region"], name="one_share_per_payment_funder"),
        ]

    def __str__(self):
        return f"{self.payment_id} {self.funder_region_id}: Rp{self.amount_rupiah}"


class ExclusionReason(models.TextChoices):
    EXITED = "exited", _("Keluar dari program sebelum akhir periode")
    SUSPENDED = "suspended", _("Kepesertaan ditangguhkan")
    TENURE_ENDED = "tenure_ended", _("Masa kepesertaan berakhir")
    NON_COMPLIANT = "non_compliant", _("Tidak memenuhi komitmen pada periode ini")
    NO_ACCOUNT = "no_account", _("Belum punya rekening aktif di bank penyalur")
    ALREADY_PAID = "already_paid", _("Sudah masuk tahap penyaluran lain untuk periode ini")
    NO_BENEFIT = "no_benefit", _("Tidak ada komponen bantuan pada periode ini")


class CycleExclusion(models.Model):
    """A KPM of the cycle's area and bank who is not paid in it, and why (as at generation)."""

    SCOPE_REGION_PATH = "household__region__code"
    SCOPE_HOUSEHOLD_PATH = "household_id"

    cycle = models.ForeignKey(PaymentCycle, on_delete=models.CASCADE, related_name="exclusions", db_index=False)
    enrollment = models.ForeignKey("programs.Enrollment", on_delete=models.CASCADE, related_name="+", db_index=False)
    household = models.ForeignKey("registry.Household", on_delete=models.CASCADE, related_name="+", db_index=False)
    reason = models.CharField(_("alasan"), max_length=16, choices=ExclusionReason.choices)

    class Meta:
        verbose_name = _("KPM tidak dibayar")
        verbose_name_plural = _("KPM tidak dibayar")
        constraints = [models.UniqueConstraint(fields=["cycle", "enrollment"], name="one_exclusion_per_cycle")]
        indexes = [models.Index(fields=["cycle", "reason"])]

    def __str__(self):
        return f"{self.cycle_id} {self.enrollment_id}: {self.reason}"


class Reconciliation(models.Model):
    """One import of a bank's reconciliation file for a cycle: its hash, who, when and what it did."""

    cycle = models.ForeignKey(PaymentCycle, on_delete=models.PROTECT, related_name="reconciliations")
    file_name = models.CharField(_("nama berkas"), max_length=255, blank=True)
    file_sha256 = models.CharField(_("SHA-256 berkas"), max_length=64)
    rows_total = models.PositiveIntegerField(_("baris"), default=0)
    applied = models.PositiveIntegerField(_("diterapkan"), default=0)
    flagged = models.PositiveIntegerField(_("ditandai"), default=0)
    rejected = models.PositiveIntegerField(_("ditolak"), default=0)
    unchanged = models.PositiveIntegerField(_("tidak berubah"), default=0)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("diimpor oleh"))
    imported_at = models.DateTimeField(_("diimpor pada"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rekonsiliasi")
        verbose_name_plural = _("rekonsiliasi")
        ordering = ["-imported_at", "-pk"]
        indexes = [models.Index(fields=["cycle", "file_sha256"])]

    def __str__(self):
        return f"{self.cycle_id} {self.file_name} {self.imported_at:%Y-%m-%d %H:%M}"


class ReconciliationLine(models.Model):
    """A row of a reconciliation file that was flagged or rejected, with its number and the reason."""

    class Outcome(models.TextChoices):
        FLAGGED = "flagged", _("Ditandai")
        REJECTED = "rejected", _("Ditolak")

    reconciliation = models.ForeignKey(Reconciliation, on_delete=models.CASCADE, related_name="lines")
    row_number = models.PositiveIntegerField(_("baris"))
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    payment_id_text = models.CharField(_("id_penyaluran"), max_length=40, blank=True)
    reason = models.CharField(_("alasan"), max_length=255)

    class Meta:
        ordering = ["reconciliation", "row_number"]

    def __str__(self):
        return f"baris {self.row_number}: {self.outcome} {self.reason}"
