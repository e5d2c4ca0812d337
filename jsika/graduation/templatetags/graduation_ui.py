"""Template helpers of the graduation pages: band and status badges, rupiah, and the household page block."""

from django import template

from jsika.payments.models import PaymentStatus
from jsika.programs.rules import rupiah as format_rupiah

from ..queries import graduation_for_household

register = template.Library()

BAND_CLASSES = {"ready": "text-bg-success", "developing": "text-bg-warning", "not_ready": "text-bg-danger"}
STATUS_CLASSES = {
    "proposed": "text-bg-light border", "applied": "text-bg-light border", "approved": "text-bg-primary",
    "rejected": "text-bg-danger", "disbursed": "text-bg-success", "pending": "text-bg-warning",
    "paid": "text-bg-success", "failed": "text-bg-danger", "returned": "text-bg-warning",
    "reissued": "text-bg-secondary", "reversed": "text-bg-secondary",
}
KIND_CLASSES = {"alamiah": "text-bg-info", "mandiri": "text-bg-success", "paksa": "text-bg-dark"}


@register.filter
def band_class(band: str) -> str:
    return BAND_CLASSES.get(band, "text-bg-light")


@register.filter
def grad_status_class(status: str) -> str:
    return STATUS_CLASSES.get(status, "text-bg-light")


@register.filter
def payment_label(status: str) -> str:
    """A payment status code as its label (``paid`` → ``Berhasil``)."""
    return str(PaymentStatus(status).label) if status in PaymentStatus.values else ""


@register.filter
def kind_class(kind: str) -> str:
    return KIND_CLASSES.get(kind, "text-bg-light")


@register.filter
def rupiah(value) -> str:
    """``500000`` → ``Rp500.000``; empty for nothing."""
    try:
        return format_rupiah(int(value))
    except (TypeError, ValueError):
        return ""


@register.filter
def signed_rupiah(value) -> str:
    try:
        value = int(value)
    except (TypeError, ValueError):
        return ""
    return ("+" if value > 0 else "−" if value < 0 else "") + format_rupiah(abs(value))


@register.inclusion_tag("graduation/_household_graduation.html", takes_context=True)
def household_graduation(context, household):
    """The graduation block of the registry's household page: ``{% household_graduation household %}``."""
    user = context["request"].user
    return {"info": graduation_for_household(user, household), "household": household, "request": context["request"]}
