"""Forms of the registry pages (the import form lives with the import views)."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from jsika.regions.models import Region

from .queries import HouseholdFilter, households_for

REGION_CODE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")


def desil_choices() -> list[tuple[str, str]]:
    return [("", _("Semua desil"))] + [(str(n), _("Desil 1–%(n)s") % {"n": n}) for n in range(1, 11)]


SCHOOL_CHOICES = [("", _("Semua")), ("sd", _("SD")), ("smp", _("SMP")), ("sma", _("SMA/SMK"))]


def region_choices(user) -> list[tuple[str, str]]:
    """The regions a user can narrow the list to: two levels below their scope (down to kecamatan),
    or, for a pendamping, the desa of their caseload and their kecamatan."""
    if user.scope:
        depth = user.scope.count(".") + 1
        levels = [lvl for lvl in (depth + 1, depth + 2) if lvl <= Region.Level.DISTRICT]
        regions = Region.objects.filter(code__startswith=user.scope + ".", level__in=levels)
    elif user.is_superuser:
        regions = Region.objects.filter(level__lte=Region.Level.REGENCY)
    else:
        village_codes = set(households_for(user).values_list("region_id", flat=True).distinct())
        district_codes = {code.rsplit(".", 1)[0] for code in village_codes}
        regions = Region.objects.filter(code__in=village_codes | district_codes)
    choices = [("", _("Semua wilayah"))]
    for region in regions.order_by("code").only("code", "name", "kind", "level"):
        indent = "\u2003" * max(region.level - 2, 0)
        choices.append((region.code, f"{indent}{region.name} ({region.code})"))
    return choices


class HouseholdFilterForm(forms.Form):
    """The filters of the household list; every field optional, read from the query string."""

    q = forms.CharField(label=_("Cari"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("NIK, No. KK atau nama")}))
    wilayah = forms.CharField(label=_("Wilayah"), required=False, max_length=13, widget=forms.Select)
    desil_max = forms.TypedChoiceField(label=_("Desil"), required=False, choices=desil_choices, coerce=int,
                                       empty_value=None)
    anak_sekolah = forms.ChoiceField(label=_("Anak sekolah"), required=False, choices=SCHOOL_CHOICES)
    hamil = forms.BooleanField(label=_("Ibu hamil"), required=False)
    balita = forms.BooleanField(label=_("Balita"), required=False)
    lansia = forms.BooleanField(label=_("Lansia"), required=False)
    disabilitas = forms.BooleanField(label=_("Disabilitas"), required=False)

    FLAGS = ("hamil", "balita", "lansia", "disabilitas")

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        choices = region_choices(user)
        chosen = (data or {}).get("wilayah", "")
        if chosen and REGION_CODE.match(chosen) and chosen not in dict(choices):
            region = Region.objects.filter(code=chosen).first()
            choices.append((chosen, f"{region.name} ({chosen})" if region else chosen))
        self.fields["wilayah"].widget.choices = choices
        for name in ("wilayah", "desil_max", "anak_sekolah"):
            self.fields[name].widget.attrs["class"] = "form-select"

    def clean_wilayah(self):
        code = self.cleaned_data["wilayah"].strip()
        if code and not REGION_CODE.match(code):
            raise forms.ValidationError(_("Kode wilayah tidak dikenal."))
        return code

    def to_filter(self) -> HouseholdFilter:
        """The filter to apply; invalid input is dropped rather than failing the page."""
        if not self.is_bound:
            return HouseholdFilter()
        self.is_valid()  # fields that fail validation are left out of cleaned_data
        data = self.cleaned_data
        return HouseholdFilter(
            wilayah=data.get("wilayah") or "",
            q=data.get("q") or "",
            desil_max=data.get("desil_max"),
            anak_sekolah=data.get("anak_sekolah") or "",
            **{flag: True if data.get(flag) else None for flag in self.FLAGS},
        )

    @property
    def active_count(self) -> int:
        """How many filters beyond the text search are set (shown on the phone's filter button)."""
        f = self.to_filter()
        return sum(bool(x) for x in (f.wilayah, f.desil_max, f.anak_sekolah, f.hamil, f.balita, f.lansia,
                                     f.disabilitas))
