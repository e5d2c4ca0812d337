"""Forms of the partner pages: the sector search, recording a service, referring, acting on a referral."""

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jsika.registry.forms import region_choices

from .fields import PartnerFields
from .models import ReferralOutcome
from .queries import PersonCriteria, agencies_visible
from .sectors import ReferralNeed, kind_choices, needs_for

REGION_CODE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")
SCHOOL_CHOICES = [("", _("Semua")), ("belum", _("Belum sekolah")), ("paud", _("PAUD")), ("sd", _("SD")),
                  ("smp", _("SMP")), ("sma", _("SMA/SMK")), ("tidak", _("Tidak sekolah lagi"))]
# ISO format whatever the language: a browser's date picker reads only YYYY-MM-DD.
DATE_INPUT = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "class": "form-control"})
FLAG_FIELDS = ("putus_sekolah", "lulus_smp", "hamil", "balita", "lansia", "disabilitas", "stunting")


class PersonSearchForm(forms.Form):
    """The criteria of a sector search; fields the sector may not read are removed from the form."""

    q = forms.CharField(label=_("NIK lengkap atau nama"), required=False, max_length=100)
    wilayah = forms.CharField(label=_("Wilayah"), required=False, max_length=13, widget=forms.Select)
    kpm = forms.BooleanField(label=_("Hanya KPM"), required=False, initial=True)
    program = forms.CharField(label=_("Program"), required=False, max_length=20)
    umur_min = forms.IntegerField(label=_("Umur dari"), required=False, min_value=0, max_value=130)
    umur_max = forms.IntegerField(label=_("Umur sampai"), required=False, min_value=0, max_value=130)
    sekolah = forms.ChoiceField(label=_("Sekolah"), required=False, choices=SCHOOL_CHOICES)
    putus_sekolah = forms.BooleanField(label=_("Putus sekolah (7–18 th)"), required=False)
    lulus_smp = forms.BooleanField(label=_("Lulus SMP tahun ini"), required=False)
    hamil = forms.BooleanField(label=_("Ibu hamil"), required=False)
    balita = forms.BooleanField(label=_("Balita"), required=False)
    lansia = forms.BooleanField(label=_("Lansia (60+)"), required=False)
    disabilitas = forms.BooleanField(label=_("Disabilitas"), required=False)
    stunting = forms.BooleanField(label=_("Risiko stunting"), required=False)
    desil_max = forms.TypedChoiceField(label=_("Desil paling tinggi"), required=False, coerce=int, empty_value=None,
                                       choices=[("", _("Semua"))] + [(str(n), str(n)) for n in range(1, 11)])

    def __init__(self, data=None, *, user, allowed: PartnerFields, **kwargs):
        if data is not None and not any(k in data for k in self.base_fields):
            data = None  # first visit: the initial values (KPM only) apply
        super().__init__(data, **kwargs)
        self.fields["wilayah"].widget.choices = region_choices(user)
        for name in list(self.fields):
            if not allowed.allows_criterion(name):
                del self.fields[name]
        for field in self.fields.values():
            css = "form-check-input" if isinstance(field, forms.BooleanField) else (
                "form-select" if isinstance(field.widget, forms.Select) else "form-control")
            field.widget.attrs.setdefault("class", css)

    @property
    def flags(self):
        return [self[name] for name in FLAG_FIELDS if name in self.fields]

    def clean_wilayah(self):
        value = (self.cleaned_data.get("wilayah") or "").strip()
        if value and not REGION_CODE.match(value):
            raise forms.ValidationError(_("Kode wilayah tidak sah."))
        return value

    def clean_program(self):
        value = (self.cleaned_data.get("program") or "").strip().upper()
        if value and not re.fullmatch(r"[A-Z0-9_-]{1,20}", value):
            raise forms.ValidationError(_("Kode program huruf/angka, mis. JSCM."))
        return value

    def clean_q(self):
        return (self.cleaned_data.get("q") or "").replace("\x00", "").strip()

    def to_criteria(self, **overrides) -> PersonCriteria:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {
            name: field.initial for name, field in self.fields.items() if field.initial is not None}
        values = {k: v for k, v in data.items() if v not in (None, "")}
        values.setdefault("kpm", bool(data.get("kpm", False)))
        return PersonCriteria.from_dict({**values, **overrides})


class SaveSearchForm(forms.Form):
    name = forms.CharField(label=_("Nama pencarian"), max_length=120,
                           widget=forms.TextInput(attrs={"class": "form-control",
                                                         "placeholder": _("mis. Calon SMA/SMK Cilegon 2026")}))


class InterventionForm(forms.Form):
    """Record one service of the partner's agency for a household (or one of its members)."""

    kind = forms.ChoiceField(label=_("Jenis layanan"), widget=forms.Select(attrs={"class": "form-select"}))
    person = forms.TypedChoiceField(label=_("Anggota keluarga"), required=False, coerce=int, empty_value=None,
                                    widget=forms.Select(attrs={"class": "form-select"}))
    delivered_on = forms.DateField(label=_("Tanggal layanan"), initial=timezone.localdate,
                                   widget=DATE_INPUT)
    place = forms.CharField(label=_("Tempat layanan"), required=False, max_length=150,
                            widget=forms.TextInput(attrs={"class": "form-control",
                                                          "placeholder": _("mis. SMA Negeri 1 Cilegon")}))
    notes = forms.CharField(label=_("Catatan"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))

    def __init__(self, *args, sector: str, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kind_choices(sector)
        self.fields["person"].choices = [("", _("Seluruh keluarga"))] + [(m.pk, m.name) for m in members]


class ReferralForm(forms.Form):
    need = forms.ChoiceField(label=_("Kebutuhan"), choices=ReferralNeed.choices,
                             widget=forms.Select(attrs={"class": "form-select"}))
    agency = forms.TypedChoiceField(label=_("Instansi tujuan"), coerce=int,
                                    widget=forms.Select(attrs={"class": "form-select"}))
    description = forms.CharField(label=_("Keterangan"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))

    def __init__(self, *args, region_code: str, **kwargs):
        super().__init__(*args, **kwargs)
        agencies = [a for a in agencies_visible().order_by("sector", "name")
                    if region_code == a.region_id or region_code.startswith(a.region_id + ".")]
        self.fields["agency"].choices = [(a.pk, f"{a.name} ({a.get_sector_display()})") for a in agencies]
        self.agencies = {a.pk: a for a in agencies}

    def clean(self):
        data = super().clean()
        agency = self.agencies.get(data.get("agency"))
        need = data.get("need")
        if agency and need and need not in needs_for(agency.sector):
            self.add_error("agency", _("Kebutuhan ini dirujuk ke instansi sektor lain."))
        data["agency_obj"] = agency
        return data


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Catatan"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))


class ActForm(NoteForm):
    kind = forms.ChoiceField(label=_("Layanan yang diberikan"), required=False,
                             widget=forms.Select(attrs={"class": "form-select"}))
    delivered_on = forms.DateField(label=_("Tanggal layanan"), required=False,
                                   widget=DATE_INPUT)
    place = forms.CharField(label=_("Tempat layanan"), required=False, max_length=150,
                            widget=forms.TextInput(attrs={"class": "form-control"}))

    def __init__(self, *args, sector: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("(tanpa layanan, catatan saja)"))] + kind_choices(sector)


class CloseForm(NoteForm):
    outcome = forms.ChoiceField(label=_("Hasil"), choices=ReferralOutcome.choices,
                                widget=forms.Select(attrs={"class": "form-select"}))


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Alasan penolakan"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))
