"""Forms of the program pages: they parse input; the services decide and write."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from jsika.registry.forms import region_choices

from .models import BenefitRule, Component, EnrollmentStatus, ExitReason, Program

REGION_CODE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")
KABKOTA = "kabkota"


def _pairs(text: str, label: str) -> list[tuple[str, str]]:
    """``"36=60, kabkota=40"`` → ``[("36", "60"), ("kabkota", "40")]``; ValidationError naming the bad part."""
    pairs = []
    for part in re.split(r"[,;\n]+", text or ""):
        part = part.strip()
        if not part:
            continue
        if "=" not in part:
            raise forms.ValidationError(_("Bagian '%(part)s' pada %(label)s harus berbentuk kode=nilai.")
                                        % {"part": part, "label": label})
        key, value = (s.strip() for s in part.split("=", 1))
        pairs.append((key, value))
    return pairs


def _codes(text: str) -> list[str]:
    codes = [c.strip() for c in re.split(r"[,;\s]+", text or "") if c.strip()]
    bad = [c for c in codes if not REGION_CODE.match(c)]
    if bad:
        raise forms.ValidationError(_("Kode wilayah tidak sah: %(list)s (contoh: 36.72).") % {"list": ", ".join(bad)})
    return codes


class ProgramForm(forms.Form):
    """A program's settings as a manager edits them (rules and quotas have their own forms)."""

    code = forms.CharField(label=_("Kode program"), max_length=20, help_text=_("mis. JSCM; tidak dapat diubah."))
    name = forms.CharField(label=_("Nama program"), max_length=150)
    description = forms.CharField(label=_("Keterangan"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    owner_region = forms.CharField(label=_("Wilayah pemilik"), max_length=13,
                                   help_text=_("Kode wilayah: 36 untuk Provinsi Banten, 36.72 untuk Kota Cilegon."))
    covered_regions = forms.CharField(label=_("Wilayah cakupan"), required=False,
                                      help_text=_("Kode wilayah dipisah koma; kosong berarti seluruh wilayah pemilik."))
    start_year = forms.IntegerField(label=_("Tahun mulai"), min_value=2000, max_value=2100)
    end_year = forms.IntegerField(label=_("Tahun berakhir"), min_value=2000, max_value=2100, required=False)
    tenure_years = forms.IntegerField(label=_("Batas kepesertaan (tahun)"), min_value=1, max_value=20, initial=5)
    cycles_per_year = forms.IntegerField(label=_("Tahap penyaluran per tahun"), min_value=1, max_value=12, initial=1)
    bank_code = forms.CharField(label=_("Bank penyalur (bawaan)"), max_length=20, required=False,
                                help_text=_("mis. BJB, BRI, BANTEN"))
    bank_overrides = forms.CharField(label=_("Bank per wilayah"), required=False,
                                     help_text=_("kode_wilayah=BANK dipisah koma, mis. 36.72=BJB, 36.03=BANTEN"))
    funding = forms.CharField(label=_("Porsi pendanaan (%)"), required=False,
                              help_text=_("kode_wilayah=persen dipisah koma; 'kabkota' untuk kab/kota domisili KPM. "
                                          "Contoh: 36=60, kabkota=40. Jumlah harus 100."))
    desil_max = forms.IntegerField(label=_("Desil paling tinggi"), min_value=1, max_value=10, required=False)
    require_component = forms.BooleanField(label=_("Wajib punya komponen (hamil, anak, sekolah, disabilitas, lansia)"),
                                           required=False, initial=True)
    exclude_pkh = forms.BooleanField(label=_("Kecualikan penerima PKH nasional"), required=False)
    excluded_programs = forms.ModelMultipleChoiceField(label=_("Program yang dikecualikan"), required=False,
                                                       queryset=Program.objects.all(),
                                                       widget=forms.CheckboxSelectMultiple)
    is_active = forms.BooleanField(label=_("Program aktif"), required=False, initial=True)

    def __init__(self, *args, program: Program | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        if program is not None:
            self.fields["code"].disabled = True
            self.fields["owner_region"].disabled = True
            self.fields["excluded_programs"].queryset = Program.objects.exclude(pk=program.pk)

    @classmethod
    def initial_for(cls, program: Program) -> dict:
        shares = [f"{s.funder_region_id or KABKOTA}={s.percent}" for s in program.funding_shares.all()]
        return {
            "code": program.code, "name": program.name, "description": program.description,
            "owner_region": program.owner_region_id,
            "covered_regions": ", ".join(r.code for r in program.covered_regions.all()),
            "start_year": program.start_year, "end_year": program.end_year, "tenure_years": program.tenure_years,
            "cycles_per_year": program.cycles_per_year, "bank_code": program.bank_code,
            "bank_overrides": ", ".join(f"{b.region_id}={b.bank_code}" for b in program.banks.all()),
            "funding": ", ".join(shares), "desil_max": program.desil_max,
            "require_component": program.require_component, "exclude_pkh": program.exclude_pkh,
            "excluded_programs": list(program.excluded_programs.all()), "is_active": program.is_active,
        }

    def clean_owner_region(self):
        return _codes(self.cleaned_data["owner_region"])[0] if self.cleaned_data["owner_region"] else ""

    def clean_covered_regions(self):
        return _codes(self.cleaned_data["covered_regions"])

    def clean_bank_code(self):
        return self.cleaned_data["bank_code"].strip().upper()

    def clean_bank_overrides(self):
        pairs = _pairs(self.cleaned_data["bank_overrides"], _("bank per wilayah"))
        _codes(" ".join(k for k, _v in pairs))
        return {k: v.upper() for k, v in pairs}

    def clean_funding(self):
        shares = []
        for key, value in _pairs(self.cleaned_data["funding"], _("porsi pendanaan")):
            if not value.isdigit():
                raise forms.ValidationError(_("Persen untuk %(key)s harus bilangan bulat.") % {"key": key})
            funder = None if key.lower() == KABKOTA else _codes(key)[0]
            shares.append((funder, int(value)))
        return shares

    def program_fields(self) -> dict:
        d = self.cleaned_data
        return {k: d[k] for k in ("name", "description", "start_year", "end_year", "tenure_years", "cycles_per_year",
                                  "bank_code", "desil_max", "require_component", "exclude_pkh", "is_active")}


class BenefitRuleForm(forms.Form):
    """One year's benefit rule: a flat amount, or amounts per component with a cap."""

    year = forms.IntegerField(label=_("Berlaku mulai tahun"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("Jenis aturan"), choices=BenefitRule.Kind.choices)
    amount_rupiah = forms.IntegerField(label=_("Nominal per keluarga per tahun (Rp)"), min_value=0, required=False)
    max_components = forms.IntegerField(label=_("Batas komponen per keluarga"), min_value=1, required=False)
    note = forms.CharField(label=_("Catatan/sumber"), max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for component in Component:
            self.fields[f"c_{component.value}"] = forms.IntegerField(
                label=component.label, min_value=0, required=False)

    @property
    def component_fields(self):
        return [self[f"c_{c.value}"] for c in Component]

    def component_amounts(self) -> dict[str, int]:
        return {c.value: self.cleaned_data.get(f"c_{c.value}") or 0 for c in Component}


class QuotaForm(forms.Form):
    year = forms.IntegerField(label=_("Tahun"), min_value=2000, max_value=2100)
    region = forms.CharField(label=_("Wilayah (kab/kota atau kecamatan)"), max_length=13)
    slots = forms.IntegerField(label=_("Jumlah slot"), min_value=0)

    def clean_region(self):
        return _codes(self.cleaned_data["region"])[0]


class EnrollmentFilterForm(forms.Form):
    """Filters of the enrollment list, read from the query string."""

    program = forms.ModelChoiceField(label=_("Program"), required=False, queryset=Program.objects.all(),
                                     to_field_name="code", empty_label=_("Semua program"))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Semua status"))] + list(EnrollmentStatus.choices))
    wilayah = forms.CharField(label=_("Wilayah"), required=False, max_length=13, widget=forms.Select)
    q = forms.CharField(label=_("No. KK"), required=False, max_length=16)
    belum_resertifikasi = forms.BooleanField(label=_("Belum resertifikasi"), required=False)

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["wilayah"].widget.choices = region_choices(user)
        for name, field in self.fields.items():
            if name != "belum_resertifikasi":
                field.widget.attrs.setdefault("class", "form-select" if name != "q" else "form-control")


class TransitionForm(forms.Form):
    """The reason and dates a transition may carry."""

    reason = forms.CharField(label=_("Alasan/catatan"), required=False, max_length=1000)
    exit_reason = forms.ChoiceField(label=_("Alasan keluar"), required=False, choices=ExitReason.choices)
    started_on = forms.DateField(label=_("Mulai aktif"), required=False)
    ended_on = forms.DateField(label=_("Tanggal keluar"), required=False)


class ReverificationForm(forms.Form):
    program = forms.ModelChoiceField(label=_("Program"), queryset=Program.objects.filter(is_active=True),
                                     to_field_name="code")
    year = forms.IntegerField(label=_("Tahun"), min_value=2000, max_value=2100)
    region = forms.CharField(label=_("Wilayah"), max_length=13)
    due_on = forms.DateField(label=_("Batas waktu"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_region(self):
        return _codes(self.cleaned_data["region"])[0]
