"""Numbers as the dashboard prints them: Indonesian thousands separators, Rp and %."""

from django import template

from jsika.reports.render import cell_text

register = template.Library()


@register.filter
def figure(value, kind: str = "int") -> str:
    """``1686`` → ``1.686``; with ``"rupiah"`` → ``Rp1.000.000``; with ``"percent"`` → ``85,5%``."""
    if kind == "text":
        return "–" if value in (None, "") else str(value)
    return cell_text(value, kind)


@register.filter
def get(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
