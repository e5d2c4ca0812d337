"""Template helpers of the program pages: rupiah amounts and status badges."""

from django import template

from jsika.programs.rules import rupiah as format_rupiah

register = template.Library()

STATUS_CLASSES = {
    "proposed": "text-bg-light border", "verified": "text-bg-info", "approved": "text-bg-primary",
    "active": "text-bg-success", "suspended": "text-bg-warning", "exited": "text-bg-secondary",
    "rejected": "text-bg-danger",
}


@register.filter
def rupiah(value) -> str:
    """``500000`` → ``Rp500.000``."""
    try:
        return format_rupiah(int(value))
    except (TypeError, ValueError):
        return ""


@register.filter
def status_class(status: str) -> str:
    return STATUS_CLASSES.get(status, "text-bg-light")


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
