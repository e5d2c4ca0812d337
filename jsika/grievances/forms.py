"""Forms of the grievance pages: the public filing form (region cascade, challenge) and the staff actions."""

import re

from django import forms
from django.apps import apps
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from jsika.regions.models import Region

from . import challenge
from .models import Category, Outcome, Status
from .queries import QueueFilter
from .uploads import CONTENT_TYPES

REGION_CODE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")


def public_provinces() -> list[str]:
    """Provinces offered on the public form: ``settings.JSIKA_GRIEVANCE_PROVINCES``, else those of the
    programs' owner regions, else every loaded province."""
    configured = getattr(settings, "JSIKA_GRIEVANCE_PROVINCES", None)
    if configured:
        return list(configured)
    if apps.is_installed("jsika.programs"):
        owners = apps.get_model("programs", "Program").objects.values_list("owner_region_id", flat=True)
        codes = sorted({code.split(".")[0] for code in owners})
        if codes:
            return codes
    return list(Region.objects.filter(level=Region.Level.PROVINCE).values_list("code", flat=True))


def kabkota_choices() -> list:
    provinces = public_provinces()
    regions = (Region.objects.filter(level=Region.Level.REGENCY, parent_id__in=provinces)
               .select_related("parent").order_by("parent_id", "name"))
    empty = [("", _("— Pilih kabupaten/kota —"))]
    if len(provinces) == 1:
        return empty + [(r.code, r.name) for r in regions]
    groups: dict[str, list] = {}
    for r in regions:
        groups.setdefault(r.parent.name, []).append((r.code, r.name))
    return empty + list(groups.items())


def child_choices(parent_code: str, level: int) -> list[tuple[str, str]]:
    """The regions directly below ``parent_code`` at ``level``, by name (empty for an unknown code)."""
    empty = [("", _("— Pilih kecamatan —") if level == Region.Level.DISTRICT else _("— Pilih desa/kelurahan —"))]
    if not parent_code or not REGION_CODE.match(parent_code):
        return empty
    regions = Region.objects.filter(parent_id=parent_code, level=level).order_by("name")
    return empty + [(r.code, r.name) for r in regions.only("code", "name")]


def program_choices() -> list[tuple[str, str]]:
    choices = [("", _("Tidak tahu / tidak disebut"))]
    if apps.is_installed("jsika.programs"):
        programs = apps.get_model("programs", "Program").objects.filter(is_active=True).order_by("code")
        choices += [(p.code, p.name) for p in programs.only("code", "name")]
    return choices


class PublicGrievanceForm(forms.Form):
    """What anyone fills in to complain; the service checks the rest (region level, NIK shape, photo)."""

    category = forms.ChoiceField(label=_("Apa masalahnya?"), choices=Category.choices, widget=forms.RadioSelect,
                                 error_messages={"required": _("Pilih jenis pengaduan.")})
    kabkota = forms.ChoiceField(label=_("Kabupaten/kota"), error_messages={"required": _("Pilih kabupaten/kota.")})
    kecamatan = forms.ChoiceField(label=_("Kecamatan"), error_messages={"required": _("Pilih kecamatan.")})
    region = forms.ChoiceField(label=_("Desa/kelurahan"), error_messages={"required": _("Pilih desa/kelurahan.")})
    program = forms.ChoiceField(label=_("Program bantuan"), required=False)
    description = forms.CharField(
        label=_("Ceritakan kejadiannya"), max_length=4000, min_length=10,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": _(
            "Apa yang terjadi, kapan, di mana, dan siapa yang terlibat. Jangan tulis PIN atau kata sandi.")}),
        error_messages={"required": _("Ceritakan kejadiannya."),
                        "min_length": _("Ceritakan kejadiannya (paling sedikit %(limit_value)d huruf).")},
    )
    nik = forms.CharField(label=_("NIK terkait (bila ada)"), required=False, max_length=30,
                          widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    no_kk = forms.CharField(label=_("No. KK terkait (bila ada)"), required=False, max_length=30,
                            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    photo = forms.FileField(
        label=_("Foto pendukung (bila ada)"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted(set(CONTENT_TYPES.values())))}),
    )
    anonymous = forms.BooleanField(label=_("Kirim tanpa identitas (anonim)"), required=False)
    reporter_name = forms.CharField(label=_("Nama Anda"), required=False, max_length=120,
                                    widget=forms.TextInput(attrs={"autocomplete": "name"}))
    contact = forms.CharField(label=_("Nomor HP/WhatsApp atau email"), required=False, max_length=100,
                              widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}))
    answer = forms.CharField(label=_("Pertanyaan pengaman"), max_length=4,
                             widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
                             error_messages={"required": _("Jawab pertanyaan pengaman.")})
    token = forms.CharField(widget=forms.HiddenInput)
    website = forms.CharField(label=_("Jangan diisi"), required=False,
                              widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def __init__(self, data=None, files=None, **kwargs):
        super().__init__(data, files, **kwargs)
        choices = kabkota_choices()
        self.fields["kabkota"].choices = choices
        # (group label or None, options) for the template's <optgroup>s
        self.kabkota_groups = [(c[0], c[1]) if isinstance(c[1], list) else (None, [c]) for c in choices]
        chosen_kab = (data or {}).get("kabkota", "")
        chosen_kec = (data or {}).get("kecamatan", "")
        if chosen_kec and not chosen_kec.startswith(chosen_kab + "."):
            chosen_kec = ""
        self.fields["kecamatan"].choices = child_choices(chosen_kab, Region.Level.DISTRICT)
        self.fields["region"].choices = child_choices(chosen_kec, Region.Level.VILLAGE)
        self.fields["program"].choices = program_choices()
        for name in ("kabkota", "kecamatan", "region", "program"):
            self.fields[name].widget.attrs["class"] = "form-select form-select-lg"
        for name in ("description", "nik", "no_kk", "reporter_name", "contact", "answer"):
            self.fields[name].widget.attrs["class"] = "form-control form-control-lg"
        self.fields["photo"].widget.attrs["class"] = "form-control"
        self.question = ""
        if not self.is_bound:
            self.renew_challenge()

    def renew_challenge(self) -> None:
        """A fresh question (a question is good for one answer); on a returned form the old answer is cleared."""
        fresh = challenge.new_challenge()
        self.question = fresh.question
        self.initial["token"] = fresh.token
        if self.is_bound:
            self.data = self.data.copy()
            self.data["token"] = fresh.token
            self.data["answer"] = ""

    def clean(self):
        data = super().clean()
        if data.get("website"):
            raise forms.ValidationError(_("Formulir tidak dapat diterima."), code="honeypot")
        return data

    def check_challenge(self) -> bool:
        """Verify the arithmetic question (once); on failure the answer field carries the reason."""
        try:
            challenge.verify(self.data.get("token", ""), self.data.get("answer", ""))
        except challenge.ChallengeFailed as exc:
            self.add_error("answer", str(exc))
            return False
        return True


class TicketLookupForm(forms.Form):
    tiket = forms.CharField(label=_("Nomor tiket"), max_length=40,
                            widget=forms.TextInput(attrs={"class": "form-control form-control-lg text-uppercase",
                                                          "placeholder": "JSK-XXXX-XXXX-XXXX",
                                                          "autocomplete": "off", "autocapitalize": "characters"}))


# --- staff ---------------------------------------------------------------------------------------------

STATUS_FILTER_CHOICES = [("open", _("Masih terbuka")), ("closed", _("Sudah ditutup")), ("all", _("Semua status"))] + [
    (value, label) for value, label in Status.choices]


class QueueFilterForm(forms.Form):
    q = forms.CharField(label=_("Nomor tiket"), required=False, max_length=20)
    wilayah = forms.CharField(label=_("Wilayah"), required=False, max_length=13, widget=forms.Select)
    kategori = forms.ChoiceField(label=_("Jenis"), required=False,
                                 choices=[("", _("Semua jenis"))] + list(Category.choices))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_FILTER_CHOICES)
    terlambat = forms.BooleanField(label=_("Melewati batas waktu"), required=False)
    eskalasi = forms.BooleanField(label=_("Dieskalasi ke provinsi"), required=False)
    saya = forms.BooleanField(label=_("Ditugaskan kepada saya"), required=False)
    tanpa_petugas = forms.BooleanField(label=_("Belum ditugaskan"), required=False)

    def __init__(self, data=None, *, region_choices, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["wilayah"].widget.choices = region_choices
        for name in ("wilayah", "kategori", "status"):
            self.fields[name].widget.attrs["class"] = "form-select"
        self.fields["q"].widget.attrs.update({"class": "form-control", "placeholder": "JSK-…", "type": "search"})

    def clean_wilayah(self):
        code = self.cleaned_data["wilayah"].strip()
        if code and not REGION_CODE.match(code):
            raise forms.ValidationError(_("Kode wilayah tidak dikenal."))
        return code

    def to_filter(self) -> QueueFilter:
        if not self.is_bound:
            return QueueFilter()
        self.is_valid()
        d = self.cleaned_data
        return QueueFilter(wilayah=d.get("wilayah", ""), category=d.get("kategori", ""),
                           status=d.get("status") or "open", overdue=bool(d.get("terlambat")),
                           escalated=bool(d.get("eskalasi")), mine=bool(d.get("saya")),
                           unassigned=bool(d.get("tanpa_petugas")), ticket=d.get("q", ""))


def _textarea(rows=3, placeholder=""):
    return forms.Textarea(attrs={"rows": rows, "class": "form-control", "placeholder": placeholder})


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Catatan"), max_length=4000, widget=_textarea(
        3, _("Apa yang diperiksa, dengan siapa, hasilnya…")))


class OptionalNoteForm(forms.Form):
    note = forms.CharField(label=_("Catatan"), required=False, max_length=4000, widget=_textarea(2))


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Tugaskan kepada"), queryset=None,
                                      widget=forms.Select(attrs={"class": "form-select"}))
    note = forms.CharField(label=_("Catatan"), required=False, max_length=4000, widget=_textarea(2))

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = users
        self.fields["assignee"].label_from_instance = (
            lambda u: f"{u.get_full_name() or u.username} · {u.get_role_display()} · {u.scope}")


class LinkHouseholdForm(forms.Form):
    no_kk = forms.CharField(label=_("No. KK"), max_length=30, widget=forms.TextInput(
        attrs={"class": "form-control", "inputmode": "numeric", "autocomplete": "off"}))


class SubjectForm(forms.Form):
    facilitator = forms.ModelChoiceField(label=_("Pendamping yang diadukan"), queryset=None,
                                         widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = users
        self.fields["facilitator"].label_from_instance = lambda u: f"{u.get_full_name() or u.username} ({u.scope})"


class ResponseForm(forms.Form):
    text = forms.CharField(label=_("Tanggapan untuk publik"), max_length=4000, widget=_textarea(
        3, _("Terlihat oleh siapa saja yang memegang nomor tiket: jangan tulis nama, NIK atau alamat.")))


class CloseForm(forms.Form):
    decision = forms.ChoiceField(label=_("Keputusan"), choices=[
        (Status.RESOLVED, _("Selesai ditindaklanjuti")), (Status.REJECTED, _("Ditutup tanpa tindak lanjut"))],
        widget=forms.RadioSelect, initial=Status.RESOLVED)
    outcome = forms.ChoiceField(label=_("Hasil pemeriksaan"), choices=[("", "—")] + list(Outcome.choices),
                                widget=forms.Select(attrs={"class": "form-select"}),
                                error_messages={"required": _("Pilih hasil pemeriksaan.")})
    outcome_note = forms.CharField(label=_("Catatan hasil (internal)"), max_length=4000, widget=_textarea(
        3, _("Apa yang ditemukan dan apa yang dilakukan, mis. hasil cek data penyaluran.")))
    public_response = forms.CharField(label=_("Tanggapan untuk publik"), max_length=4000, widget=_textarea(
        3, _("Terlihat oleh siapa saja yang memegang nomor tiket: jangan tulis nama, NIK atau alamat.")))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Alasan"), max_length=4000, widget=_textarea(2))
