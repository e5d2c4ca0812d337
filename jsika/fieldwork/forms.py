"""Forms of the supervisors' pages (the field app's forms are client-side: they work offline)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jsika.core.scoping import region_q
from jsika.regions.models import Region

from . import periods
from .models import CheckStatus
from .queries import facilitators_for


class BootstrapMixin:
    """Bootstrap classes on every widget, so templates can render ``{{ field }}``."""

    def style(self):
        for field in self.fields.values():
            widget = field.widget
            css = "form-select" if isinstance(widget, forms.Select) else (
                "form-check-input" if isinstance(widget, forms.CheckboxInput) else "form-control")
            widget.attrs.setdefault("class", css)


def _facilitator_choices(user):
    return facilitators_for(user).filter(is_active=True).order_by("username")


class FacilitatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        name = obj.get_full_name()
        return f"{obj.username} — {name} ({obj.scope})" if name else f"{obj.username} ({obj.scope})"


class FacilitatorForm(BootstrapMixin, forms.Form):
    username = forms.CharField(label=_("Nama pengguna"), max_length=150,
                               help_text=_("Huruf kecil tanpa spasi, mis. pendamping.merak"))
    first_name = forms.CharField(label=_("Nama depan"), max_length=150)
    last_name = forms.CharField(label=_("Nama belakang"), max_length=150, required=False)
    scope = forms.ChoiceField(label=_("Wilayah tugas (kecamatan)"))
    password = forms.CharField(label=_("Kata sandi awal"), widget=forms.PasswordInput(render_value=False),
                               min_length=10, help_text=_("Paling sedikit 10 karakter; minta pendamping menggantinya."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        districts = Region.objects.filter(level=Region.Level.DISTRICT).select_related("parent").order_by("code")
        if not user.is_superuser:
            districts = districts.filter(region_q("code", user.scope))
        self.fields["scope"].choices = [("", "—")] + [
            (r.code, f"{r.code} — Kec. {r.name}, {r.parent.name if r.parent else ''}") for r in districts]
        self.style()


class AssignVillageForm(forms.Form):
    facilitator = FacilitatorChoiceField(label=_("Pendamping"), queryset=None)
    village = forms.CharField(label=_("Kode desa/kelurahan"), max_length=13)
    only_kpm = forms.BooleanField(label=_("Hanya KPM (terdaftar di program)"), required=False, initial=True)
    include_assigned = forms.BooleanField(label=_("Pindahkan juga keluarga yang sudah didampingi pendamping lain"),
                                          required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = _facilitator_choices(user)
        self.user = user

    def clean_village(self):
        code = self.cleaned_data["village"].strip()
        region = Region.objects.filter(code=code, level=Region.Level.VILLAGE).first()
        if region is None:
            raise forms.ValidationError(_("Kode desa/kelurahan tidak dikenal."))
        if not self.user.is_superuser and not (code == self.user.scope or code.startswith(self.user.scope + ".")):
            raise forms.ValidationError(_("Desa ini di luar cakupan wilayah Anda."))
        return code


class ReassignForm(BootstrapMixin, forms.Form):
    from_facilitator = FacilitatorChoiceField(label=_("Dari pendamping"), queryset=None)
    to_facilitator = FacilitatorChoiceField(label=_("Ke pendamping"), queryset=None)
    reason = forms.CharField(label=_("Alasan"), max_length=200, required=False,
                             widget=forms.TextInput(attrs={"placeholder": _("mis. mengundurkan diri")}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_facilitator"].queryset = facilitators_for(user).order_by("username")
        self.fields["to_facilitator"].queryset = _facilitator_choices(user)
        self.style()


class EndCaseloadForm(forms.Form):
    households = forms.TypedMultipleChoiceField(coerce=int, label=_("Keluarga"))
    reason = forms.CharField(label=_("Alasan"), max_length=200)

    def __init__(self, *args, household_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["households"].choices = [(pk, pk) for pk in household_ids]


def recent_periods(count: int = 12) -> list[tuple[str, str]]:
    current = periods.of(timezone.localdate())
    return [(p, periods.label(p)) for p in [current, *periods.before(current, count - 1)]]


class PeriodForm(forms.Form):
    bulan = forms.ChoiceField(label=_("Bulan"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bulan"].choices = recent_periods(24)

    def period(self) -> str:
        if self.is_valid() and self.cleaned_data.get("bulan"):
            return self.cleaned_data["bulan"]
        return periods.of(timezone.localdate())


class ConfirmCheckForm(forms.Form):
    status = forms.ChoiceField(choices=[(CheckStatus.MET, CheckStatus.MET.label),
                                        (CheckStatus.NOT_MET, CheckStatus.NOT_MET.label)])
    note = forms.CharField(max_length=255, required=False)
