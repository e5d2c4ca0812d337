"""Forms of the payments pages (thin: the services check everything that matters)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jsika.programs.models import Program

from .models import BANKS, PaymentCycle

BANK_CHOICES = [("", _("Bank program untuk wilayah itu"))] + list(BANKS.items())


class StyledForm(forms.Form):
    """Bootstrap classes on every widget."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            elif not isinstance(widget, forms.CheckboxInput | forms.HiddenInput):
                widget.attrs.setdefault("class", "form-control")


def _year_default():
    return timezone.localdate().year


class CycleForm(StyledForm):
    program = forms.ModelChoiceField(Program.objects.filter(is_active=True), label=_("Program"),
                                     to_field_name="code")
    year = forms.IntegerField(label=_("Tahun"), min_value=2000, max_value=2100, initial=_year_default)
    stage = forms.IntegerField(label=_("Tahap"), min_value=1, max_value=12, initial=1)
    region = forms.CharField(label=_("Wilayah (kode)"), required=False, max_length=13,
                             help_text=_("Kosong: seluruh wilayah program. Mis. 36.72.03 untuk satu kecamatan."))
    bank_code = forms.ChoiceField(label=_("Bank penyalur"), choices=BANK_CHOICES, required=False)
    note = forms.CharField(label=_("Keterangan"), required=False, max_length=255)


class UepCycleForm(StyledForm):
    program = forms.ModelChoiceField(Program.objects.filter(is_active=True), label=_("Program"),
                                     to_field_name="code")
    year = forms.IntegerField(label=_("Tahun anggaran UEP"), min_value=2000, max_value=2100, initial=_year_default,
                              help_text=_("Bantuan yang disetujui dari pagu UEP tahun ini."))
    scheduled_on = forms.DateField(label=_("Tanggal penyaluran"), widget=forms.DateInput(attrs={"type": "date"}))
    region = forms.CharField(label=_("Wilayah (kode)"), required=False, max_length=13,
                             help_text=_("Kosong: seluruh wilayah program. Mis. 36.72 untuk satu kota."))
    bank_code = forms.ChoiceField(label=_("Bank penyalur"), choices=BANK_CHOICES, required=False)
    note = forms.CharField(label=_("Keterangan"), required=False, max_length=255)


class ReconciliationForm(StyledForm):
    file = forms.FileField(label=_("Berkas rekonsiliasi dari bank (CSV, pemisah ';')"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size == 0:
            raise forms.ValidationError(_("Berkas kosong."))
        return upload


class ReissueForm(StyledForm):
    into = forms.ModelChoiceField(PaymentCycle.objects.none(), label=_("Terbitkan ulang ke tahap"))
    reason = forms.CharField(label=_("Alasan"), max_length=255, required=False)

    def __init__(self, *args, targets=None, **kwargs):
        super().__init__(*args, **kwargs)
        if targets is not None:
            self.fields["into"].queryset = targets


class ReturnForm(StyledForm):
    reason = forms.CharField(label=_("Alasan retur"), max_length=255)
    returned_on = forms.DateField(label=_("Tanggal retur"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))


class ReverseForm(StyledForm):
    reason = forms.CharField(label=_("Alasan pembatalan"), max_length=255)


class SettleForm(StyledForm):
    outcome = forms.ChoiceField(label=_("Keputusan"), choices=[("paid", _("Diterima dengan nominal dari bank")),
                                                               ("failed", _("Dianggap gagal"))])
    credited_amount_rupiah = forms.IntegerField(label=_("Nominal dikreditkan (Rp)"), min_value=1, required=False)
    credited_on = forms.DateField(label=_("Tanggal dikreditkan"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Catatan (mis. nomor berita acara dengan bank)"), max_length=200)


class BudgetForm(StyledForm):
    funder_region = forms.CharField(label=_("Penyandang dana (kode wilayah)"), max_length=13)
    allocated_rupiah = forms.IntegerField(label=_("Pagu (Rp)"), min_value=0)
    note = forms.CharField(label=_("Dasar (mis. DPA/APBD)"), required=False, max_length=255)


class AccountOpeningForm(StyledForm):
    program = forms.ModelChoiceField(Program.objects.filter(is_active=True), label=_("Program"),
                                     to_field_name="code")
    bank_code = forms.ChoiceField(label=_("Bank"), choices=list(BANKS.items()))
    region = forms.CharField(label=_("Wilayah (kode)"), required=False, max_length=13)


class OpenedAccountsForm(StyledForm):
    bank_code = forms.ChoiceField(label=_("Bank"), choices=list(BANKS.items()))
    file = forms.FileField(label=_("Berkas rekening yang sudah dibuka (CSV, pemisah ';')"))
