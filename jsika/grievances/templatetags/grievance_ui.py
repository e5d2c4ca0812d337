"""Icons, badges and SLA clocks of the grievance pages."""

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..models import Category, Status
from ..transparency import HIDDEN

register = template.Library()

CATEGORY_ICONS = {
    Category.NOT_RECEIVED: "bi-cash-coin", Category.CUT: "bi-scissors", Category.WRONG_TARGET: "bi-bullseye",
    Category.DATA_ERROR: "bi-file-earmark-x", Category.FACILITATOR: "bi-person-exclamation",
    Category.OTHER: "bi-chat-dots",
}
STATUS_CSS = {
    Status.RECEIVED: "st-received", Status.ACKNOWLEDGED: "st-acknowledged", Status.INVESTIGATING: "st-investigating",
    Status.RESOLVED: "st-resolved", Status.REJECTED: "st-rejected",
}


@register.filter
def category_icon(value) -> str:
    return CATEGORY_ICONS.get(value, "bi-chat-dots")


@register.filter
def status_css(value) -> str:
    return STATUS_CSS.get(value, "st-received")


@register.simple_tag
def sla_clock(grievance, now=None) -> dict:
    """What the queue shows of a grievance's clock: label, css and whether it is overdue."""
    now = now or timezone.now()
    due = grievance.current_due_at
    if due is None:
        return {"label": _("Ditutup"), "css": "sla-closed", "overdue": False, "due": grievance.closed_at}
    what = _("tanggapan") if grievance.status == Status.RECEIVED else _("penyelesaian")
    seconds = (due - now).total_seconds()
    days = int(abs(seconds) // 86400)
    if seconds < 0:
        late = ngettext("terlambat %(n)s hari", "terlambat %(n)s hari", days) % {"n": days} if days else _(
            "terlambat hari ini")
        return {"label": f"{what.capitalize()}: {late}", "css": "sla-overdue", "overdue": True, "due": due}
    left = ngettext("%(n)s hari lagi", "%(n)s hari lagi", days) % {"n": days} if days else _("hari ini")
    css = "sla-soon" if seconds < 86400 else "sla-ok"
    return {"label": f"{what.capitalize()}: {left}", "css": css, "overdue": False, "due": due}


@register.simple_tag
def figure_cell(row, fig) -> str:
    """A transparency cell: the number (Rupiah with its prefix), or "< 5" when hidden."""
    value = row.shown.get(fig.key)
    if value is None:
        return format_html('<span class="cell-hidden" title="{}">{}</span>',
                           _("Disembunyikan: kurang dari 5 keluarga"), HIDDEN)
    text = intcomma(value)
    return f"Rp{text}" if fig.kind == "rupiah" else text
