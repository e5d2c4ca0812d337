"""The source apps the figures come from, each used only when it is installed (the dashboard grows as
apps land). Every source module has ``refresh(today) -> rows`` that inserts its base rows."""

from django.apps import apps

# (app, module of this package) in the order they are refreshed.
SOURCES = [
    ("jsika.programs", "programs"),
    ("jsika.payments", "payments"),
    ("jsika.fieldwork", "fieldwork"),
    ("jsika.graduation", "graduation"),
    ("jsika.grievances", "grievances"),
    ("jsika.programs", "mapping"),
]


def installed_sources() -> list[tuple[str, str]]:
    return [(app, module) for app, module in SOURCES if apps.is_installed(app)]


def is_available(app: str) -> bool:
    return apps.is_installed(app)
