"""Pre-aggregated figures the dashboard, the map and the reports read (never the source tables per page view).

Rows are rebuilt by ``services.refresh_figures`` from the source apps with set-based ``INSERT … SELECT`` /
``GROUP BY``: base rows at the region where the source places them (usually a desa/kelurahan), then summed
up to kecamatan, kab/kota, province and the whole country (``region_code`` ``""``, level 0). A reader
takes the rows of exactly one region, so a page view reads a few hundred rows whatever the registry's size.
No row holds personal data.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def region_level(code: str) -> int:
    """0 for the whole country (``""``), 1 province, 2 kab/kota, 3 kecamatan, 4 desa/kelurahan."""
    return len(code.split(".")) if code else 0


class FigureFact(models.Model):
    """One number: a metric (``metrics.py``) for a program, year, month, key and region."""

    metric = models.CharField(max_length=30)
    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, null=True, blank=True,
                                related_name="+", db_constraint=False)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    month = models.PositiveSmallIntegerField(null=True, blank=True)
    key = models.CharField(max_length=40, blank=True)
    region_code = models.CharField(max_length=13, blank=True)
    level = models.PositiveSmallIntegerField()
    value = models.BigIntegerField()

    class Meta:
        verbose_name = _("angka ringkas")
        verbose_name_plural = _("angka ringkas")
        indexes = [
            models.Index(fields=["region_code", "metric"], name="figure_region_metric_idx"),
            models.Index(fields=["level", "region_code"], name="figure_level_region_idx",
                         opclasses=["int2_ops", "varchar_pattern_ops"]),
        ]

    def __str__(self):
        return f"{self.metric} {self.program_id} {self.year}-{self.month} {self.key} {self.region_code}: {self.value}"


class CycleFact(models.Model):
    """One payment cycle's payments within one region: counts and whole rupiah (the berita acara's totals)."""

    cycle_id = models.BigIntegerField()
    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="+",
                                db_constraint=False)
    year = models.PositiveSmallIntegerField()
    stage = models.PositiveSmallIntegerField()
    bank_code = models.CharField(max_length=20)
    status = models.CharField(max_length=12)
    paid_on = models.DateField(null=True, blank=True)
    region_code = models.CharField(max_length=13, blank=True)
    level = models.PositiveSmallIntegerField()
    payments = models.BigIntegerField(default=0)
    amount_rupiah = models.BigIntegerField(default=0)
    min_amount_rupiah = models.BigIntegerField(default=0)
    max_amount_rupiah = models.BigIntegerField(default=0)
    paid_count = models.BigIntegerField(default=0)
    paid_rupiah = models.BigIntegerField(default=0)
    failed_count = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("ringkasan tahap penyaluran")
        verbose_name_plural = _("ringkasan tahap penyaluran")
        indexes = [models.Index(fields=["region_code", "year"], name="cyclefact_region_year_idx")]

    def __str__(self):
        return f"{self.cycle_id} {self.region_code}: {self.payments} × Rp{self.amount_rupiah}"


class RegionPoint(models.Model):
    """Where a region's households are (mean of their GPS points) and how many KPM of each kind live there.

    ``program`` empty: KPM of any program. Drawn on the map as a circle when zoomed out, so the map
    works without tiles and without boundary shapes (no maintained package of Indonesian boundaries).
    """

    region_code = models.CharField(max_length=13, blank=True)
    level = models.PositiveSmallIntegerField()
    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, null=True, blank=True,
                                related_name="+", db_constraint=False)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    households = models.BigIntegerField(default=0)  # households with GPS points (the centroid's weight)
    kpm = models.BigIntegerField(default=0)
    suspended = models.BigIntegerField(default=0)
    pregnant = models.BigIntegerField(default=0)
    dropout = models.BigIntegerField(default=0)
    ready = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("titik wilayah")
        verbose_name_plural = _("titik wilayah")
        indexes = [models.Index(fields=["level", "region_code"], name="regionpoint_level_region_idx",
                                opclasses=["int2_ops", "varchar_pattern_ops"])]

    def __str__(self):
        return f"{self.region_code} {self.program_id}: {self.kpm}"


class FigureRefresh(models.Model):
    """One run of ``refresh_figures``: when, how long, what it found."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(default=0)
    rows = models.BigIntegerField(default=0)
    sources = models.JSONField(default=list, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                           related_name="+")

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("pembaruan angka dasbor")
        verbose_name_plural = _("pembaruan angka dasbor")

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M} ({self.rows} baris)"
