"""The family registry: households (Kartu Keluarga) and their members."""

from datetime import date

from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Sex(models.TextChoices):
    MALE = "L", _("Laki-laki")
    FEMALE = "P", _("Perempuan")


class Relation(models.TextChoices):
    HEAD = "kepala keluarga", _("Kepala keluarga")
    HUSBAND = "suami", _("Suami")
    WIFE = "istri", _("Istri")
    CHILD = "anak", _("Anak")
    CHILD_IN_LAW = "menantu", _("Menantu")
    GRANDCHILD = "cucu", _("Cucu")
    PARENT = "orang tua", _("Orang tua")
    PARENT_IN_LAW = "mertua", _("Mertua")
    RELATIVE = "famili lain", _("Famili lain")
    OTHER = "lainnya", _("Lainnya")


class SchoolStatus(models.TextChoices):
    NOT_YET = "belum sekolah", _("Belum sekolah")
    PAUD = "paud", _("PAUD")
    SD = "sd", _("SD")
    SMP = "smp", _("SMP")
    SMA = "sma", _("SMA/SMK")
    LEFT = "tidak sekolah lagi", _("Tidak sekolah lagi")


class Household(models.Model):
    """One family as on its Kartu Keluarga. Our own id stays when the No. KK changes."""

    SCOPE_REGION_PATH = "region__code"
    SCOPE_HOUSEHOLD_PATH = "pk"

    no_kk = models.CharField(_("No. KK"), max_length=16, unique=True)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="households",
                               verbose_name=_("desa/kelurahan"))
    address = models.CharField(_("alamat"), max_length=255, blank=True)
    rt = models.CharField(_("RT"), max_length=3, blank=True)
    rw = models.CharField(_("RW"), max_length=3, blank=True)
    latitude = models.FloatField(_("lintang"), null=True, blank=True)
    longitude = models.FloatField(_("bujur"), null=True, blank=True)
    desil = models.PositiveSmallIntegerField(_("desil"), null=True, blank=True)
    is_pkh_recipient = models.BooleanField(_("penerima PKH nasional"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # What the members add up to, for the criteria search (registry.summary keeps them; not in history).
    member_flags = models.PositiveSmallIntegerField(default=0, db_default=0, editable=False)
    youngest_born = models.DateField(null=True, blank=True, editable=False)
    oldest_born = models.DateField(null=True, blank=True, editable=False)

    history = HistoricalRecords(history_id_field=models.BigAutoField(primary_key=True),
                                excluded_fields=["member_flags", "youngest_born", "oldest_born"])

    class Meta:
        verbose_name = _("keluarga")
        verbose_name_plural = _("keluarga")
        indexes = [
            # A wilayah prefix is one range of this index; with the member summary included, the criteria
            # search counts and pages a kab/kota from the index alone (PostgreSQL; SQLite ignores INCLUDE).
            models.Index(fields=["region"], name="household_region_idx", opclasses=["varchar_pattern_ops"],
                         include=["id", "member_flags", "youngest_born", "oldest_born"]),
            models.Index(fields=["desil"]),
        ]
        constraints = [
            models.CheckConstraint(name="household_desil_1_10",
                                   condition=models.Q(desil__isnull=True) | models.Q(desil__gte=1, desil__lte=10)),
        ]

    def __str__(self):
        return self.no_kk

    @property
    def head(self):
        return next((m for m in self.members.all() if m.relation == Relation.HEAD), None)


class Person(models.Model):
    """A member of a household, identified by NIK."""

    SCOPE_REGION_PATH = "household__region__code"
    SCOPE_HOUSEHOLD_PATH = "household_id"

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members",
                                  verbose_name=_("keluarga"))
    nik = models.CharField(_("NIK"), max_length=16, unique=True)
    name = models.CharField(_("nama"), max_length=150)
    # Searched with `contains` only (a b-tree cannot serve that), so no index: it cost two per table.
    name_key = models.CharField(max_length=150, editable=False)
    sex = models.CharField(_("jenis kelamin"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("tanggal lahir"))
    relation = models.CharField(_("hubungan"), max_length=20, choices=Relation.choices)
    education = models.CharField(_("pendidikan"), max_length=60, blank=True)
    school_status = models.CharField(_("status sekolah"), max_length=20, choices=SchoolStatus.choices, blank=True)
    pregnant = models.BooleanField(_("hamil"), default=False)
    disabled = models.BooleanField(_("disabilitas"), default=False)
    occupation = models.CharField(_("pekerjaan"), max_length=100, blank=True)
    phone = models.CharField(_("telepon"), max_length=20, blank=True)
    nik_mismatch = models.CharField(_("NIK tidak padan"), max_length=200, blank=True,
                                    help_text=_("Alasan NIK tidak cocok dengan jenis kelamin/tanggal lahir."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(history_id_field=models.BigAutoField(primary_key=True))

    class Meta:
        verbose_name = _("anggota keluarga")
        verbose_name_plural = _("anggota keluarga")
        indexes = [
            models.Index(fields=["household", "relation"]),
            models.Index(fields=["school_status", "household"]),
            # Leading birth_date for the age criteria (balita, lansia); household_id makes them index-only.
            models.Index(fields=["birth_date", "household"], name="person_birth_hh_idx"),
            models.Index(Upper("name"), name="person_name_upper_idx"),
            # Criteria search (hamil, disabilitas): few rows match, so a partial index finds them directly.
            models.Index(fields=["household"], condition=models.Q(pregnant=True), name="person_pregnant_hh_idx"),
            models.Index(fields=["household"], condition=models.Q(disabled=True), name="person_disabled_hh_idx"),
        ]
        constraints = [
            models.CheckConstraint(name="person_pregnant_is_female",
                                   condition=models.Q(pregnant=False) | models.Q(sex="P")),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def from_db(cls, db, field_names, values):
        person = super().from_db(db, field_names, values)
        person._loaded_household_id = person.__dict__.get("household_id")  # a save that moves it refreshes both
        return person

    def age_on(self, day: date) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


class ImportRow(models.Model):
    """One row of a family data file while its import runs (staging; deleted when the job ends).

    Cross-row rules (duplicate NIK, one head per KK) are checked on these rows with set-based
    queries, so a file of any size is never held in memory.
    """

    job = models.ForeignKey("core.Job", on_delete=models.CASCADE, related_name="+")
    row_number = models.PositiveIntegerField()
    no_kk = models.CharField(max_length=16, blank=True)
    nik = models.CharField(max_length=16, blank=True)
    is_head = models.BooleanField(default=False)
    region_code = models.CharField(max_length=13, blank=True)
    ok = models.BooleanField(default=True)
    values = models.JSONField(default=dict)
    raw = models.JSONField(default=dict)
    problems = models.JSONField(default=list)  # [[column, value, reason], ...]
    flag = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["job", "nik"]),
            models.Index(fields=["job", "no_kk", "row_number"]),
        ]

    def __str__(self):
        return f"baris {self.row_number}"
