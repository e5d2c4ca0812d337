"""Indonesian labels of the keys stored in the figures (statuses, conditions, categories, kinds, funders),
taken from the source apps' choices when they are installed, else the key itself."""

from django.apps import apps
from django.utils.translation import gettext_lazy as _

from jsika.regions.models import Region

MONTHS = [_("Januari"), _("Februari"), _("Maret"), _("April"), _("Mei"), _("Juni"), _("Juli"), _("Agustus"),
          _("September"), _("Oktober"), _("November"), _("Desember")]


def month_label(year: int, month: int) -> str:
    return f"{MONTHS[month - 1]} {year}"


def _choices(app: str, module: str, name: str) -> dict:
    if not apps.is_installed(app):
        return {}
    from importlib import import_module

    choices = getattr(import_module(f"{app}.{module}"), name, None)
    return {value: str(label) for value, label in choices.choices} if choices else {}


def enrollment_statuses() -> dict:
    return _choices("jsika.programs", "models", "EnrollmentStatus")


def conditions() -> dict:
    return _choices("jsika.fieldwork", "models", "Condition")


def categories() -> dict:
    return _choices("jsika.grievances", "models", "Category")


def graduation_kinds() -> dict:
    return _choices("jsika.graduation", "models", "GraduationKind")


def grant_statuses() -> dict:
    if not apps.is_installed("jsika.graduation"):
        return {}
    from jsika.graduation.models import Grant

    return {value: str(label) for value, label in Grant.Status.choices}


def modules() -> dict:
    if not apps.is_installed("jsika.fieldwork"):
        return {}
    return dict(apps.get_model("fieldwork", "Module").objects.values_list("code", "name"))


def region_names(codes) -> dict:
    codes = [c for c in set(codes) if c]
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    return {c: names.get(c, c) for c in codes} | {"": "Indonesia"}
