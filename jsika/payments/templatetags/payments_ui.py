"""Template helpers of the payments pages: rupiah, status colours, and a household's payments."""

from django import template

from jsika.core.masking import mask_number
from jsika.programs.rules import rupiah as format_rupiah

from ..models import BankAccount, Card
from ..queries import accounts_for, cards_for, payments_for_household

register = template.Library()

CYCLE_CLASSES = {"generated": "text-bg-secondary", "verified": "text-bg-info", "approved": "text-bg-primary",
                 "sent": "text-bg-warning", "reconciled": "text-bg-success", "closed": "text-bg-dark",
                 "cancelled": "text-bg-light border"}
PAYMENT_CLASSES = {"pending": "text-bg-secondary", "paid": "text-bg-success", "failed": "text-bg-danger",
                   "returned": "text-bg-warning", "reissued": "text-bg-info", "reversed": "text-bg-dark"}


@register.filter
def rupiah(value) -> str:
    """``1500000`` → ``Rp1.500.000``."""
    if value is None or value == "":
        return "—"
    return format_rupiah(int(value))


@register.filter
def cycle_class(status: str) -> str:
    return CYCLE_CLASSES.get(status, "text-bg-light")


@register.filter
def payment_class(status: str) -> str:
    return PAYMENT_CLASSES.get(status, "text-bg-light")


@register.filter
def mask_account(value: str) -> str:
    """An account number with all but its last four digits hidden."""
    value = value or ""
    return "•" * max(0, len(value) - 4) + value[-4:] if len(value) > 4 else mask_number(value)


@register.simple_tag(takes_context=True)
def household_payments(context, household) -> dict:
    """What the household page shows: every payment the viewer may see, plus accounts and cards."""
    user = context["request"].user
    payments = payments_for_household(user, household)
    owed = sum(p.amount_rupiah for p in payments if p.status in ("pending", "paid", "failed", "returned"))
    reached = sum(p.credited_amount_rupiah or 0 for p in payments if p.status == "paid")
    return {
        "payments": payments, "owed_rupiah": owed, "reached_rupiah": reached,
        "accounts": list(accounts_for(user).filter(household=household).order_by("-status", "bank_code"))
        if user.role != "bank" else [],
        "cards": list(cards_for(user).filter(household=household).order_by("-issued_on")) if user.role != "bank"
        else [],
        "account_statuses": BankAccount.Status, "card_statuses": Card.Status,
    }
