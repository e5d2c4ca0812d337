"""Programs (Jamsosratu, JSCM, replicas), their rules as data, quotas, and enrollments (KPM)."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jsika.core.scoping import code_in_scope


def add_years(day: date, years: int) -> date:
    """``day`` moved ``years`` years on; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class Component(models.TextChoices):
    """PKH-style benefit components (Permensos 1/2018): health, education, social welfare."""

    PREGNANT = "hamil", _("Ibu hamil/nifas")
    EARLY_CHILDHOOD = "anak_usia_dini", _("Anak usia dini (0–6 tahun)")
    SD = "sd", _("Anak SD")
    SMP = "smp", _("Anak SMP")
    SMA = "sma", _("Anak SMA/SMK")
    SEVERE_DISABILITY = "disabilitas_berat", _("Disabilitas berat")
    ELDERLY = "lansia", _("Lanjut usia (≥ 60 tahun)")


class Program(models.Model):
    """One assistance program and its rules: owner region, coverage, tenure, bank, eligibility."""

    code = models.CharField(_("kode"), max_length=20, unique=True,
                            help_text=_("Singkatan tetap, mis. JSCM atau JAMSOSRATU."))
    name = models.CharField(_("nama"), max_length=150)
    description = models.TextField(_("keterangan"), blank=True)
    owner_region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="owned_programs",
                                     verbose_name=_("wilayah pemilik"))
    covered_regions = models.ManyToManyField(
        "regions.Region", blank=True, related_name="covering_programs", verbose_name=_("wilayah cakupan"),
        help_text=_("Kosong berarti seluruh wilayah pemilik."),
    )
    start_year = models.PositiveSmallIntegerField(_("tahun mulai"))
    end_year = models.PositiveSmallIntegerField(_("tahun berakhir"), null=True, blank=True)
    tenure_years = models.PositiveSmallIntegerField(_("batas kepesertaan (tahun)"), default=5)
    cycles_per_year = models.PositiveSmallIntegerField(_("tahap penyaluran per tahun"), default=1)
    bank_code = models.CharField(_("bank penyalur"), max_length=20, blank=True,
                                 help_text=_("Bank bawaan; bank per kab/kota dapat diatur tersendiri."))
    desil_max = models.PositiveSmallIntegerField(_("desil paling tinggi"), null=True, blank=True,
                                                 help_text=_("Kosong berarti tanpa syarat desil."))
    require_component = models.BooleanField(_("wajib punya komponen"), default=True)
    exclude_pkh = models.BooleanField(_("kecualikan penerima PKH nasional"), default=False)
    excluded_programs = models.ManyToManyField("self", symmetrical=False, blank=True,
                                               verbose_name=_("program yang dikecualikan"))
    is_active = models.BooleanField(_("aktif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("program")
        verbose_name_plural = _("program")
        constraints = [
            models.CheckConstraint(name="program_tenure_positive", condition=Q(tenure_years__gte=1)),
            models.CheckConstraint(name="program_cycles_1_12",
                                   condition=Q(cycles_per_year__gte=1, cycles_per_year__lte=12)),
            models.CheckConstraint(name="program_desil_1_10",
                                   condition=Q(desil_max__isnull=True) | Q(desil_max__gte=1, desil_max__lte=10)),
            models.CheckConstraint(name="program_end_after_start",
                                   condition=Q(end_year__isnull=True) | Q(end_year__gte=models.F("start_year"))),
        ]

    def __str__(self):
        return self.code

    def covered_codes(self) -> list[str]:
        """Region codes the program covers (its owner region when none are listed)."""
        codes = [r.code for r in self.covered_regions.all()]
        return codes or [self.owner_region_id]

    def covers(self, region_code: str) -> bool:
        return any(code_in_scope(region_code, c) for c in self.covered_codes())

    def bank_for(self, region_code: str) -> str:
        """The paying bank for a household in ``region_code``: the most specific override, else the default."""
        best, best_len = self.bank_code, -1
        for b in self.banks.all():
            if code_in_scope(region_code, b.region_id) and len(b.region_id) > best_len:
                best, best_len = b.bank_code, len(b.region_id)
        return best

    def tenure_end(self, started_on: date) -> date:
        return add_years(started_on, self.tenure_years)


class ProgramBank(models.Model):
    """The bank that pays a program's KPM in one region (Jamsosratu: a different bank per kab/kota)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="banks")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("wilayah"))
    bank_code = models.CharField(_("bank"), max_length=20)

    history = HistoricalRecords()

    class Meta:
        ordering = ["program", "region"]
        constraints = [models.UniqueConstraint(fields=["program", "region"], name="one_bank_per_program_region")]

    def __str__(self):
        return f"{self.program} {self.region_id}: {self.bank_code}"


class FundingShare(models.Model):
    """Who pays which share of a program's benefits; a program's shares add up to 100%.

    ``funder_region`` empty means "the kab/kota where the KPM lives" (cost sharing of Jamsosratu).
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="funding_shares")
    funder_region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name=_("penyandang dana"))
    percent = models.PositiveSmallIntegerField(_("persen"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["program", "funder_region"]
        constraints = [
            models.UniqueConstraint(fields=["program", "funder_region"], name="one_share_per_funder"),
            models.UniqueConstraint(fields=["program"], condition=Q(funder_region__isnull=True),
                                    name="one_kabkota_share_per_program"),
            models.CheckConstraint(name="funding_share_1_100", condition=Q(percent__gte=1, percent__lte=100)),
        ]

    def __str__(self):
        return f"{self.program} {self.funder_label}: {self.percent}%"

    @property
    def funder_label(self) -> str:
        return self.funder_region.label if self.funder_region else str(_("Kab/kota domisili KPM"))


class BenefitRule(models.Model):
    """What a KPM receives per year, from ``year`` until a later rule replaces it. Whole rupiah."""

    class Kind(models.TextChoices):
        FLAT = "flat_per_household", _("Nominal tetap per keluarga per tahun")
        PER_COMPONENT = "per_component", _("Per komponen (model PKH)")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="benefit_rules")
    year = models.PositiveSmallIntegerField(_("berlaku mulai tahun"))
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    amount_rupiah = models.PositiveBigIntegerField(_("nominal per keluarga per tahun (Rp)"), default=0)
    max_components = models.PositiveSmallIntegerField(_("batas komponen per keluarga"), null=True, blank=True)
    note = models.CharField(_("catatan/sumber"), max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["program", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["program", "year"], name="one_benefit_rule_per_program_year"),
            models.CheckConstraint(name="flat_rule_has_amount",
                                   condition=~Q(kind="flat_per_household") | Q(amount_rupiah__gt=0)),
        ]

    def __str__(self):
        return f"{self.program} {self.year}: {self.get_kind_display()}"

    @property
    def is_flat(self) -> bool:
        return self.kind == self.Kind.FLAT

    @property
    def amounts_in_order(self) -> list["ComponentAmount"]:
        """Component amounts in the order of the components (health, education, social welfare)."""
        order = list(Component.values)
        return sorted(self.component_amounts.all(), key=lambda a: order.index(a.component))


class ComponentAmount(models.Model):
    """The yearly amount of one component under a per-component rule."""

    rule = models.ForeignKey(BenefitRule, on_delete=models.CASCADE, related_name="component_amounts")
    component = models.CharField(_("komponen"), max_length=20, choices=Component.choices)
    amount_rupiah = models.PositiveBigIntegerField(_("nominal per tahun (Rp)"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["rule", "component"]
        constraints = [models.UniqueConstraint(fields=["rule", "component"], name="one_amount_per_component")]

    def __str__(self):
        return f"{self.rule}: {self.component} Rp{self.amount_rupiah}"


class Quota(models.Model):
    """How many KPM a program may have in one region (kab/kota or kecamatan) in one year."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="quotas")
    year = models.PositiveSmallIntegerField(_("tahun"))
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("wilayah"))
    slots = models.PositiveIntegerField(_("jumlah slot"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["program", "-year", "region"]
        constraints = [models.UniqueConstraint(fields=["program", "year", "region"], name="one_quota_per_region_year")]

    def __str__(self):
        return f"{self.program} {self.year} {self.region_id}: {self.slots}"


class EnrollmentStatus(models.TextChoices):
    PROPOSED = "proposed", _("Diusulkan")
    VERIFIED = "verified", _("Diverifikasi")
    APPROVED = "approved", _("Disetujui")
    ACTIVE = "active", _("Aktif")
    SUSPENDED = "suspended", _("Ditangguhkan")
    EXITED = "exited", _("Keluar")
    REJECTED = "rejected", _("Ditolak")


class ExitReason(models.TextChoices):
    GRADUATED = "graduated", _("Graduasi")
    TENURE_ENDED = "tenure_ended", _("Masa kepesertaan berakhir")
    MOVED = "moved", _("Pindah domisili")
    DIED = "died", _("Meninggal dunia")
    INELIGIBLE = "ineligible", _("Tidak memenuhi syarat")
    VOLUNTARY = "voluntary", _("Mengundurkan diri")


# Exits after which a household has used its place: coming back is a deliberate proposal, never automatic.
COMPLETED_EXITS = (ExitReason.GRADUATED, ExitReason.TENURE_ENDED)
# A household has at most one enrollment in these statuses per program.
OPEN_STATUSES = (EnrollmentStatus.PROPOSED, EnrollmentStatus.VERIFIED, EnrollmentStatus.APPROVED,
                 EnrollmentStatus.ACTIVE, EnrollmentStatus.SUSPENDED)
# Enrollments in these statuses use a quota slot.
SLOT_STATUSES = (EnrollmentStatus.APPROVED, EnrollmentStatus.ACTIVE, EnrollmentStatus.SUSPENDED)


class Enrollment(models.Model):
    """One household in one program (a KPM), from proposal to exit; every transition is an event."""

    SCOPE_REGION_PATH = "household__region_id"
    SCOPE_HOUSEHOLD_PATH = "household_id"

    Status = EnrollmentStatus

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="enrollments",
                                verbose_name=_("program"))
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="enrollments",
                                  verbose_name=_("keluarga"))
    status = models.CharField(_("status"), max_length=12, choices=EnrollmentStatus.choices,
                              default=EnrollmentStatus.PROPOSED)
    exit_reason = models.CharField(_("alasan keluar"), max_length=20, choices=ExitReason.choices, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("diusulkan oleh"))
    proposed_at = models.DateTimeField(_("diusulkan pada"), default=timezone.now)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("diverifikasi oleh"))
    verified_at = models.DateTimeField(_("diverifikasi pada"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("disetujui oleh"))
    approved_at = models.DateTimeField(_("disetujui pada"), null=True, blank=True)
    started_on = models.DateField(_("mulai aktif"), null=True, blank=True)
    tenure_ends_on = models.DateField(_("masa kepesertaan berakhir"), null=True, blank=True)
    ended_on = models.DateField(_("tanggal keluar"), null=True, blank=True)
    needs_reverification = models.BooleanField(
        _("belum resertifikasi"), default=False,
        help_text=_("Ditandai bila data keluarga tidak dikonfirmasi pada kampanye resertifikasi."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kepesertaan (KPM)")
        verbose_name_plural = _("kepesertaan (KPM)")
        ordering = ["-proposed_at"]
        constraints = [
            models.UniqueConstraint(fields=["program", "household"], condition=Q(status__in=OPEN_STATUSES),
                                    name="one_open_enrollment_per_household_program"),
            models.CheckConstraint(name="exited_has_reason",
                                   condition=~Q(status="exited") | ~Q(exit_reason="")),
            models.CheckConstraint(name="tenure_after_start",
                                   condition=Q(started_on__isnull=True) | Q(tenure_ends_on__gt=models.F("started_on"))),
            models.CheckConstraint(name="ended_after_start",
                                   condition=Q(ended_on__isnull=True) | Q(started_on__isnull=True)
                                   | Q(ended_on__gte=models.F("started_on"))),
        ]
        indexes = [
            models.Index(fields=["program", "status"]),
            models.Index(fields=["program", "started_on", "ended_on"]),
            models.Index(fields=["status", "tenure_ends_on"]),
        ]

    def __str__(self):
        return f"{self.program} · {self.household_id} · {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def years_in_program(self, today: date | None = None) -> int:
        """Completed years since the enrollment became active (0 before activation)."""
        if not self.started_on:
            return 0
        end = self.ended_on or today or timezone.localdate()
        b = self.started_on
        return max(0, end.year - b.year - ((end.month, end.day) < (b.month, b.day)))


class EnrollmentEvent(models.Model):
    """One transition of an enrollment: what, from which status to which, who, when and why."""

    class Action(models.TextChoices):
        PROPOSED = "proposed", _("Diusulkan")
        VERIFIED = "verified", _("Diverifikasi")
        REJECTED = "rejected", _("Ditolak")
        APPROVED = "approved", _("Disetujui")
        ACTIVATED = "activated", _("Diaktifkan")
        SUSPENDED = "suspended", _("Ditangguhkan")
        RESUMED = "resumed", _("Diaktifkan kembali")
        EXITED = "exited", _("Keluar")
        FLAGGED = "flagged", _("Ditandai belum resertifikasi")
        CONFIRMED = "confirmed", _("Data dikonfirmasi (resertifikasi)")
        IMPORTED = "imported", _("Dimuat dari data lama")

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=12, choices=Action.choices)
    from_status = models.CharField(max_length=12, choices=EnrollmentStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=EnrollmentStatus.choices)
    reason = models.TextField(_("alasan"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                           related_name="+", verbose_name=_("oleh"))
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["enrollment", "at"])]

    def __str__(self):
        return f"{self.enrollment_id} {self.action} {self.at:%Y-%m-%d}"


class ReverificationCampaign(models.Model):
    """A yearly re-verification (resertifikasi) of a program's active KPM in one region."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="reverifications")
    year = models.PositiveSmallIntegerField(_("tahun"))
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("wilayah"))
    due_on = models.DateField(_("batas waktu"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-year", "program", "region"]
        constraints = [
            models.UniqueConstraint(fields=["program", "year", "region"], name="one_reverification_per_region_year"),
        ]

    def __str__(self):
        return f"{self.program} {self.year} {self.region_id}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class ReverificationCheck(models.Model):
    """Whether an operator confirmed one active KPM's data during a campaign."""

    SCOPE_REGION_PATH = "enrollment__household__region_id"
    SCOPE_HOUSEHOLD_PATH = "enrollment__household_id"

    class Status(models.TextChoices):
        PENDING = "pending", _("Menunggu konfirmasi")
        CONFIRMED = "confirmed", _("Dikonfirmasi")
        UNCONFIRMED = "unconfirmed", _("Tidak dikonfirmasi")

    campaign = models.ForeignKey(ReverificationCampaign, on_delete=models.CASCADE, related_name="checks")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="reverification_checks")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("catatan"), max_length=255, blank=True)

    class Meta:
        ordering = ["campaign", "enrollment"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "enrollment"], name="one_check_per_campaign_enrollment"),
        ]

    def __str__(self):
        return f"{self.campaign} · {self.enrollment_id}: {self.status}"
