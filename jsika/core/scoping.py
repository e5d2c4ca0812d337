"""The one gate to personal data: every query of it starts from `scope_queryset`.

A model holding personal data declares two paths:
- ``SCOPE_REGION_PATH``: the lookup to its desa/kelurahan code (e.g. ``"region__code"``);
- ``SCOPE_HOUSEHOLD_PATH``: the lookup to its household's id (e.g. ``"household_id"``),
  used for a pendamping's caseload.
"""

import re

from django.apps import apps
from django.db.models import Q, QuerySet

from .roles import REGION_SCOPED_ROLES, REGISTRY_WRITERS, Role

FULL_CODE = re.compile(r"\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?")


def region_q(path: str, prefix: str) -> Q:
    """Rows whose region code at ``path`` is ``prefix`` or lies below it (``36.72`` ⊃ ``36.72.03.1001``)."""
    if path.endswith("region_id"):
        # A foreign key column takes no `startswith`; its target's key does, read from the same column (no join).
        path = path[: -len("_id")] + "__code"
    if FULL_CODE.fullmatch(prefix):
        # Codes have fixed-width segments (2.2.2.4), so a full code's prefix match is exactly "itself or
        # below": one index range scan instead of an OR the planner cannot turn into one.
        return Q(**{f"{path}__startswith": prefix})
    return Q(**{path: prefix}) | Q(**{f"{path}__startswith": prefix + "."})


def code_in_scope(code: str, scope: str) -> bool:
    return code == scope or code.startswith(scope + ".")


def caseload_household_ids(user) -> QuerySet:
    assignment = apps.get_model("fieldwork", "CaseloadAssignment")
    return assignment.objects.filter(facilitator=user, ended_at__isnull=True).values("household_id")


def scope_queryset(qs: QuerySet, user) -> QuerySet:
    """Narrow ``qs`` to what ``user`` may read; anything unknown reads nothing."""
    model = qs.model
    if user is None or not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role in REGION_SCOPED_ROLES and user.scope:
        return qs.filter(region_q(model.SCOPE_REGION_PATH, user.scope))
    if user.role == Role.FACILITATOR:
        return qs.filter(**{f"{model.SCOPE_HOUSEHOLD_PATH}__in": caseload_household_ids(user)})
    return qs.none()


def region_writable_by(user, code: str) -> bool:
    """May ``user`` write registry data located at region ``code``?"""
    if user.is_superuser:
        return True
    return user.role in REGISTRY_WRITERS and bool(user.scope) and code_in_scope(code, user.scope)


def can_write_registry(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.role in REGISTRY_WRITERS)
