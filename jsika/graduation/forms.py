"""Forms of the graduation pages: they parse input; the services decide."""

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jsika.programs.models import Program

from .models import BusinessType, GraduationKind, Grant
from .scoring import indicators_of

DATE_INPUT = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}


class AssessmentForm(forms.Form):
    """One radio group per indicator of the instrument version in force; a client id makes a double submit harmless."""

    assessed_on = forms.DateField(label=_("Tanggal asesmen"), widget=DATE_INPUT)
    notes = forms.CharField(label=_("Catatan"), required=False, max_length=4000,
                            widget=forms.Textarea(attrs={**TEXT, "rows": 3}))
    client_id = forms.UUIDField(widget=forms.HiddenInput)
    instrument = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, instrument, **kwargs):
        kwargs.setdefault("initial", {}).update({"assessed_on": timezone.localdate(), "client_id": uuid.uuid4(),
                                                 "instrument": instrument.pk})
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.indicators = indicators_of(instrument)
        for indicator in self.indicators:
            self.fields[f"q_{indicator.code}"] = forms.TypedChoiceField(
                label=indicator.label, help_text=indicator.help_text, coerce=int, widget=forms.RadioSelect,
                choices=[(o.pk, o.label) for o in indicator.options.all()],
                error_messages={"required": _("Pilih salah satu jawaban.")})

    def answers(self) -> dict:
        return {i.code: self.cleaned_data[f"q_{i.code}"] for i in self.indicators}

    def questions(self):
        """(indicator, bound field) pairs for the template."""
        return [(i, self[f"q_{i.code}"]) for i in self.indicators]


class ProposeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Jenis graduasi"), choices=GraduationKind.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Alasan dan keterangan"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={**TEXT, "rows": 3}),
                             help_text=_("Wajib untuk graduasi paksa (mis. hasil musyawarah desa/kelurahan)."))


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Catatan keputusan"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={**TEXT, "rows": 2}))


def program_choices():
    return [(p.code, f"{p.code} — {p.name}") for p in Program.objects.order_by("code")]


class CandidateFilterForm(forms.Form):
    program = forms.ChoiceField(label=_("Program"), widget=forms.Select(attrs=SELECT))
    wilayah = forms.CharField(label=_("Wilayah"), required=False, max_length=13,
                              widget=forms.TextInput(attrs={**TEXT, "placeholder": "36.72.03"}))
    jalur = forms.ChoiceField(label=_("Jalur"), required=False, widget=forms.Select(attrs=SELECT), choices=[
        ("", _("Semua jalur")), ("alamiah", _("Masa kepesertaan berakhir (alamiah)")),
        ("mandiri", _("Skor siap dua kali berturut-turut (mandiri)"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = program_choices()


class TargetForm(forms.Form):
    program = forms.ChoiceField(label=_("Program"), widget=forms.Select(attrs=SELECT))
    year = forms.IntegerField(label=_("Tahun"), min_value=2000, max_value=2100, widget=forms.NumberInput(attrs=TEXT))
    region = forms.CharField(label=_("Kode wilayah"), max_length=13, widget=forms.TextInput(attrs=TEXT))
    target = forms.IntegerField(label=_("Target (KPM)"), min_value=0, widget=forms.NumberInput(attrs=TEXT))
    note = forms.CharField(label=_("Catatan/sumber"), required=False, max_length=255,
                           widget=forms.TextInput(attrs=TEXT))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = program_choices()


class BudgetForm(forms.Form):
    program = forms.ChoiceField(label=_("Program"), widget=forms.Select(attrs=SELECT))
    year = forms.IntegerField(label=_("Tahun"), min_value=2000, max_value=2100, widget=forms.NumberInput(attrs=TEXT))
    amount_rupiah = forms.IntegerField(label=_("Pagu (Rp)"), min_value=0, widget=forms.NumberInput(attrs=TEXT))
    note = forms.CharField(label=_("Catatan/sumber"), required=False, max_length=255,
                           widget=forms.TextInput(attrs=TEXT))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = program_choices()


class GrantApplyForm(forms.Form):
    business_type = forms.ChoiceField(label=_("Jenis usaha"), choices=BusinessType.choices,
                                      widget=forms.Select(attrs=SELECT))
    business_plan = forms.CharField(label=_("Rencana usaha"), max_length=2000,
                                    widget=forms.Textarea(attrs={**TEXT, "rows": 4}),
                                    help_text=_("Apa yang dijual/dibuat, untuk apa modal dipakai, siapa yang "
                                                "menjalankan."))
    location = forms.CharField(label=_("Lokasi usaha"), max_length=255, widget=forms.TextInput(attrs=TEXT))
    amount_requested_rupiah = forms.IntegerField(label=_("Nilai diajukan (Rp)"), min_value=1,
                                                 widget=forms.NumberInput(attrs={**TEXT, "step": 50000}))
    income_before_rupiah = forms.IntegerField(label=_("Penghasilan keluarga per bulan sekarang (Rp)"), min_value=0,
                                              widget=forms.NumberInput(attrs={**TEXT, "step": 50000}))


class GrantDecisionForm(forms.Form):
    amount_approved_rupiah = forms.IntegerField(label=_("Nilai disetujui (Rp)"), min_value=1, required=False,
                                                widget=forms.NumberInput(attrs=TEXT))
    note = forms.CharField(label=_("Catatan keputusan"), required=False, max_length=2000,
                           widget=forms.TextInput(attrs=TEXT))


class FollowUpForm(forms.Form):
    visited_on = forms.DateField(label=_("Tanggal kunjungan"), widget=DATE_INPUT)
    business_running = forms.TypedChoiceField(
        label=_("Apakah usaha masih berjalan?"), widget=forms.RadioSelect,
        choices=[("1", _("Ya, masih berjalan")), ("0", _("Tidak, sudah berhenti"))],
        coerce=lambda v: v == "1")
    income_rupiah = forms.IntegerField(label=_("Penghasilan keluarga per bulan sekarang (Rp)"), min_value=0,
                                       widget=forms.NumberInput(attrs={**TEXT, "step": 50000}))
    notes = forms.CharField(label=_("Catatan"), required=False, max_length=4000,
                            widget=forms.Textarea(attrs={**TEXT, "rows": 3}))
    client_id = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).update({"visited_on": timezone.localdate(), "client_id": uuid.uuid4()})
        super().__init__(*args, **kwargs)


class GrantFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, widget=forms.Select(attrs=SELECT),
                               choices=[("", _("Semua status")), *Grant.Status.choices])
    program = forms.ChoiceField(label=_("Program"), required=False, widget=forms.Select(attrs=SELECT))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = [("", _("Semua program")), *program_choices()]
