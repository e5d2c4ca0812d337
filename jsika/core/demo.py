"""The demo world of `seed_demo`: the accounts of specs/accounts.md and the seeding steps.

``SEED_STEPS`` lists the steps in order as dotted paths; each step is a function
``step(ctx: SeedContext) -> str`` that returns one summary line and skips itself when its data
already exist (so re-running seed_demo never duplicates anything). A later issue adds its own
step (e.g. ``"jsika.programs.demo.seed_programs"``) by appending its path here.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils.module_loading import import_string

from .roles import Role

DEMO_PASSWORD = "demo-jsika-2026"
DEMO_URL = "http://127.0.0.1:8000/masuk/"
CASELOAD_DISTRICT = "36.72.03"  # Kecamatan Pulomerak, Kota Cilegon
CASELOAD_SIZE = 200


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str  # a Role value, or "" for the superuser
    scope: str
    organization: str
    first_name: str
    last_name: str = ""
    bank_code: str = ""
    sector: str = ""

    @property
    def is_superuser(self) -> bool:
        return self.username == "admin"

    @property
    def scope_label(self) -> str:
        if self.role == Role.FACILITATOR:
            return f"caseload di {self.scope}"
        return self.scope or "—"


DEMO_ACCOUNTS = [
    DemoAccount("admin", "", "", "Dinas Sosial Provinsi Banten", "Admin", "e-JSiKa"),
    DemoAccount("dinsos.banten", Role.MANAGER, "36", "Dinas Sosial Provinsi Banten", "Hendra", "Gunawan"),
    DemoAccount("dinsos.cilegon", Role.MANAGER, "36.72", "Dinas Sosial Kota Cilegon", "Rina", "Marlina"),
    DemoAccount("operator.cilegon", Role.OPERATOR, "36.72", "Dinas Sosial Kota Cilegon", "Agus", "Setiawan"),
    DemoAccount("operator.lebak", Role.OPERATOR, "36.02", "Dinas Sosial Kabupaten Lebak", "Dede", "Suryana"),
    DemoAccount("pendamping.pulomerak", Role.FACILITATOR, CASELOAD_DISTRICT, "Dinas Sosial Kota Cilegon",
                "Siti", "Nurjanah"),
    DemoAccount("opd.pendidikan", Role.PARTNER, "36", "Dinas Pendidikan dan Kebudayaan Provinsi Banten",
                "Yusuf", "Hidayat", sector="pendidikan"),
    DemoAccount("opd.kesehatan", Role.PARTNER, "36", "Dinas Kesehatan Provinsi Banten", "Dewi", "Lestari",
                sector="kesehatan"),
    DemoAccount("bank.bjb", Role.BANK, "", "Bank BJB", "Petugas", "Bank BJB", bank_code="BJB"),
    DemoAccount("bank.bri", Role.BANK, "", "Bank Rakyat Indonesia (BRI)", "Petugas", "BRI", bank_code="BRI"),
    DemoAccount("auditor.inspektorat", Role.AUDITOR, "36", "Inspektorat Provinsi Banten", "Bambang", "Sutrisno"),
]

SEED_STEPS = [
    "jsika.core.demo.seed_accounts",
    "jsika.core.demo.seed_families",
    "jsika.core.demo.seed_caseload",
    "jsika.programs.demo.seed_programs",
    "jsika.fieldwork.demo.seed_fieldwork",
    "jsika.payments.demo.seed_payments",
    "jsika.graduation.demo.seed_graduation",
    "jsika.grievances.demo.seed_grievances",
    "jsika.partners.demo.seed_partners",
    "jsika.reports.demo.seed_reports",
]


@dataclass
class SeedContext:
    """What every seeding step may use; steps add the objects later steps need to ``made``."""

    scale: float = 1.0
    families: int | None = None  # exact number of households (tests); overrides scale
    seed: int = 20170101
    today: date = field(default_factory=date.today)
    progress: Callable[..., object] | None = None  # a tqdm-like factory: progress(total=, desc=, unit=)
    accounts: dict = field(default_factory=dict)
    made: dict = field(default_factory=dict)

    @property
    def admin(self):
        return self.accounts["admin"]


def run_steps(ctx: SeedContext, steps: list[str] | None = None) -> list[tuple[str, str]]:
    """Run the seeding steps in order, each in its own transaction; (step, summary) pairs."""
    done = []
    for path in steps or SEED_STEPS:
        step = import_string(path)
        with transaction.atomic():
            done.append((path.rsplit(".", 1)[-1], step(ctx)))
        fresh_statistics()
    return done


def fresh_statistics(*models) -> None:
    """Refresh PostgreSQL's planner statistics after a bulk load (all tables, or those of ``models``).

    Right after a step loads thousands of rows the statistics still say "empty", and the next
    queries get nested-loop plans that take minutes at scale (autovacuum catches up too late for
    the demo). No-op on other databases.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    # The project's own tables only: a bare ANALYZE also takes the shared catalogs, which every other
    # database's ANALYZE (and a test's open transaction holding them) then waits for.
    tables = [m._meta.db_table for m in models] or connection.introspection.django_table_names(only_existing=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in sorted(set(tables))))


# --- accounts ----------------------------------------------------------------------------

def ensure_demo_accounts() -> dict:
    """Create or reset the demo accounts to specs/accounts.md (role, scope, password); idempotent.

    Only accounts that differ are saved (one history row each); the password is hashed once.
    """
    user_model = get_user_model()
    existing = {u.username: u for u in user_model.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS])}
    # Hashing is slow on purpose; check each distinct stored hash once instead of each user.
    verified = {h: check_password(DEMO_PASSWORD, h) for h in {u.password for u in existing.values()}}
    encoded = None
    users = {}
    for account in DEMO_ACCOUNTS:
        wanted = {
            "role": account.role, "scope": account.scope, "organization": account.organization,
            "bank_code": account.bank_code, "sector": account.sector, "first_name": account.first_name,
            "last_name": account.last_name, "is_superuser": account.is_superuser,
            "is_staff": account.is_superuser, "is_active": True,
        }
        user = existing.get(account.username) or user_model(username=account.username)
        changed = user._state.adding or any(getattr(user, k) != v for k, v in wanted.items())
        for key, value in wanted.items():
            setattr(user, key, value)
        if user._state.adding or not verified.get(user.password):
            encoded = encoded or make_password(DEMO_PASSWORD)
            user.password = encoded
            changed = True
        if changed:
            user.save()
        users[account.username] = user
    return users


def seed_accounts(ctx: SeedContext) -> str:
    """The demo accounts (always reset to the spec, so the printed logins work)."""
    before = get_user_model().objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS]).count()
    ctx.accounts = ensure_demo_accounts()
    return f"{len(ctx.accounts)} akun demo ({len(ctx.accounts) - before} baru), kata sandi {DEMO_PASSWORD}"


# --- families ----------------------------------------------------------------------------

def _plan(ctx: SeedContext) -> dict[str, int]:
    from jsika.registry.synthetic import DEMO_PLAN, demo_plan

    if ctx.families is not None:
        return demo_plan(ctx.families / sum(DEMO_PLAN.values()))
    return demo_plan(ctx.scale)


def _villages() -> dict[str, list[str]]:
    from jsika.regions.models import Region

    villages: dict[str, list[str]] = {}
    for code in Region.objects.filter(level=Region.Level.VILLAGE, code__startswith="36.").values_list("code",
                                                                                                  flat=True):
        villages.setdefault(code[:8], []).append(code)
    return villages


def seed_families(ctx: SeedContext) -> str:
    """Synthetic households of Banten, Kota Cilegon above all; skipped when any household exists."""
    from django.db import connection

    from jsika.registry.models import Household
    from jsika.registry.synthetic import FamilyGenerator, copy_families, insert_families

    existing = Household.objects.count()
    if existing:
        return f"dilewati: sudah ada {existing} keluarga (kosongkan database untuk membuat ulang)"
    plan = _plan(ctx)
    generator = FamilyGenerator(seed=ctx.seed, villages=_villages(), as_of=ctx.today)
    total = sum(plan.values())
    bar = ctx.progress(total=total, desc="keluarga", unit=" KK") if ctx.progress else None
    # PostgreSQL: one COPY stream per batch (a million households in minutes); elsewhere batched INSERTs.
    insert = copy_families if connection.vendor == "postgresql" else insert_families
    try:
        households, persons = insert(generator.families(plan), by=ctx.admin, progress=bar.update if bar else None)
    finally:
        if bar:
            bar.close()
    return f"{households} keluarga, {persons} anggota keluarga"


def seed_caseload(ctx: SeedContext) -> str:
    """About 200 households of Pulomerak in pendamping.pulomerak's caseload (poorest desil first)."""
    from simple_history.utils import bulk_create_with_history

    from jsika.core.scoping import region_q
    from jsika.fieldwork.models import CaseloadAssignment
    from jsika.registry.models import Household

    facilitator = ctx.accounts["pendamping.pulomerak"]
    active = CaseloadAssignment.objects.filter(facilitator=facilitator, ended_at__isnull=True).count()
    if active:
        return f"dilewati: pendamping.pulomerak sudah mendampingi {active} keluarga"
    taken = CaseloadAssignment.objects.filter(ended_at__isnull=True).values("household_id")
    households = (Household.objects.filter(region_q("region__code", CASELOAD_DISTRICT))
                  .exclude(pk__in=taken).order_by("desil", "pk")[:CASELOAD_SIZE])
    assignments = [CaseloadAssignment(facilitator=facilitator, household=h) for h in households]
    bulk_create_with_history(assignments, CaseloadAssignment, default_user=ctx.admin,
                             default_change_reason="seed_demo")
    return f"{len(assignments)} keluarga di Pulomerak didampingi pendamping.pulomerak"


# --- bulk inserts at scale ---------------------------------------------------------------

def bulk_insert_with_history(objs, model, *, by=None, reason: str = "seed_demo", history: bool = True,
                             batch_size: int = 10000) -> list:
    """``bulk_create_with_history`` for the demo at scale: unsaved ``objs`` inserted, each with a '+' history row.

    PostgreSQL: ids are drawn from the table's sequence per batch, the rows go in one COPY stream and
    the history rows (by ``by``, reason ``reason``) are copied from them by one ``INSERT … SELECT``
    — the same rows ``bulk_create_with_history`` writes, without building a historical object per
    row. Elsewhere (or when the history table has other columns) it is ``bulk_create_with_history``
    itself. ``history=False`` for tables without history. Returns ``objs``, saved (pk set).
    """
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.utils import timezone
    from simple_history.utils import bulk_create_with_history

    connection = connections[DEFAULT_DB_ALIAS]  # the real wrapper: the proxy costs a lookup per value
    objs = list(objs)
    meta = model._meta
    fields = meta.concrete_fields
    quote = connection.ops.quote_name
    columns = [f.column for f in fields]
    history_sql = None
    if history:
        extra = ["history_date", "history_change_reason", "history_type", "history_user_id"]
        made = {f.column for f in model.history.model._meta.concrete_fields} - {"history_id"}
        if made == set(columns) | set(extra):
            history_sql = "INSERT INTO {} ({}) SELECT {}, %s, %s, '+', %s FROM {} WHERE {} = ANY(%s)".format(
                quote(model.history.model._meta.db_table), ", ".join(map(quote, columns + extra)),
                ", ".join(map(quote, columns)), quote(meta.db_table), quote(meta.pk.column))
    if connection.vendor != "postgresql" or not objs or (history and history_sql is None):
        if history:
            return bulk_create_with_history(objs, model, batch_size=2000, default_user=by,
                                            default_change_reason=reason)
        return model.objects.bulk_create(objs, batch_size=2000)
    copy_sql = "COPY {} ({}) FROM STDIN".format(quote(meta.db_table), ", ".join(map(quote, columns)))
    now = timezone.now()
    user_id = by.pk if by is not None else None
    for start in range(0, len(objs), batch_size):
        chunk = objs[start:start + batch_size]
        missing = [obj for obj in chunk if obj.pk is None]
        with connection.cursor() as cursor:
            if missing:
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                               [meta.db_table, meta.pk.column, len(missing)])
                for obj, (pk,) in zip(missing, cursor.fetchall(), strict=True):
                    obj.pk = pk
            with cursor.connection.cursor().copy(copy_sql) as copy:
                for obj in chunk:
                    copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])
            if history_sql:
                cursor.execute(history_sql, [now, reason, user_id, [obj.pk for obj in chunk]])
        for obj in chunk:
            obj._state.adding, obj._state.db = False, connection.alias
    return objs
