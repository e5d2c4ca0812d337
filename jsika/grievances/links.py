"""What a grievance's linked household shows the handler: its enrollments and, once payments exist, its payments.

Other apps are optional here (``apps.is_installed`` guards): a card is simply absent until its app is.
Payments come from ``jsika.payments.queries.payments_for_household(user, household)`` (already scoped).
"""

import importlib

from django.apps import apps


def _optional(module: str, name: str):
    try:
        found = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise
        return None
    return getattr(found, name, None)


def household_enrollments(household, user) -> list | None:
    """The household's program enrollments readable by ``user``; None without the programs app."""
    if not apps.is_installed("jsika.programs"):
        return None
    enrollments_for = _optional("jsika.programs.queries", "enrollments_for")
    if enrollments_for is None:
        return None
    return list(enrollments_for(user).filter(household=household).order_by("-started_on", "-pk")[:20])


def household_payments(household, user) -> list[dict] | None:
    """The household's payments readable by ``user``, newest first: owed, credited, status — what an "aid cut"
    complaint is checked against. None without the payments app (the card says so)."""
    if not apps.is_installed("jsika.payments"):
        return None
    payments_for_household = _optional("jsika.payments.queries", "payments_for_household")
    if payments_for_household is None:
        return None
    return [{
        "program": p.program.code, "period": f"{p.year} · {p.stage}", "bank": p.bank_code,
        "amount_rupiah": p.amount_rupiah, "credited_rupiah": getattr(p, "credited_amount_rupiah", None),
        "status": p.get_status_display(), "credited_on": getattr(p, "credited_on", None),
        "note": getattr(p, "flag_reason", "") or getattr(p, "bank_reason", ""),
        "short": _credited_less(p),
    } for p in payments_for_household(user, household)[:50]]


def _credited_less(payment) -> bool:
    """Did the bank credit less than the household was owed? (The first thing an "aid cut" check looks at.)"""
    credited = getattr(payment, "credited_amount_rupiah", None)
    return credited is not None and credited < payment.amount_rupiah
