"""What a grievance's linked household shows the handler: its enrollments and, once payments exist, its payments.

Other apps are optional here (``apps.is_installed`` guards): a card is simply absent until its app is.
Contract for ``jsika.payments``: ``jsika.payments.queries.household_payments(household, *, user)`` returns
rows (dicts or objects) with ``program``, ``period``, ``bank``, ``amount_rupiah``, ``status`` (a label),
``paid_on`` (date or None) — the payments of that household that ``user`` may read, newest first.
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


def household_payments(household, user) -> list | None:
    """The household's payments (newest first) readable by ``user``; None without the payments app."""
    if not apps.is_installed("jsika.payments"):
        return None
    household_payments_of = _optional("jsika.payments.queries", "household_payments")
    if household_payments_of is None:
        return None
    return list(household_payments_of(household, user=user))[:50]
