"""Filters of the dashboard and the map, and the report request form (query strings in Indonesian)."""

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jsika.programs.models import Program

from .documents import available_reports
from .queries import may_see, user_root

REGION = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")


class DashboardFilter(forms.Form):
    program = forms.CharField(required=False, max_length=20)
    tahun = forms.IntegerField(required=False, min_value=2000, max_value=2100)
    wilayah = forms.CharField(required=False, max_length=13)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.programs = list(Program.objects.order_by("code"))

    def choice(self) -> dict:
        """Valid values only: an unknown program, year or region falls back to the default."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        code = (data.get("program") or "").strip()
        wilayah = (data.get("wilayah") or "").strip()
        return {"program": next((p for p in self.programs if p.code == code), None),
                "tahun": data.get("tahun"), "wilayah": wilayah if REGION.match(wilayah) else ""}


class ReportForm(forms.Form):
    jenis = forms.ChoiceField(label=_("Jenis laporan"))
    program = forms.ChoiceField(label=_("Program"), required=False)
    bulan = forms.RegexField(label=_("Bulan"), required=False, regex=r"^\d{4}-(0[1-9]|1[0-2])$",
                             widget=forms.DateInput(attrs={"type": "month"}),
                             error_messages={"invalid": _("Bulan harus berbentuk TTTT-BB, mis. 2019-11.")})
    tahun = forms.IntegerField(label=_("Tahun"), required=False, min_value=2000, max_value=2100)
    wilayah = forms.CharField(label=_("Kode wilayah"), required=False, max_length=13,
                              help_text=_("Kosong: seluruh wilayah Anda. Untuk daftar musyawarah: kode desa/kelurahan, "
                                          "mis. 36.72.03.1001."))
    format = forms.ChoiceField(label=_("Format"), choices=[("pdf", "PDF"), ("xlsx", "Excel (xlsx)")])

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["jenis"].choices = [(r.code, r.label) for r in available_reports().values()]
        self.fields["program"].choices = [("", _("Semua program"))] + list(
            Program.objects.order_by("code").values_list("code", "name"))
        self.fields["bulan"].initial = timezone.localdate().strftime("%Y-%m")
        self.fields["tahun"].initial = timezone.localdate().year
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select" if isinstance(field, forms.ChoiceField)
                                          else "form-control")

    def clean_wilayah(self):
        code = self.cleaned_data["wilayah"].strip()
        if code and not REGION.match(code):
            raise forms.ValidationError(_("Kode wilayah tidak dikenal."))
        if code and not may_see(self.user, code):
            raise forms.ValidationError(_("Wilayah di luar cakupan Anda."))
        return code or (user_root(self.user) or "")

    def params(self) -> dict:
        data = self.cleaned_data
        return {"program": data.get("program") or "", "bulan": data.get("bulan") or "",
                "tahun": data.get("tahun") or "", "wilayah": data.get("wilayah") or ""}
