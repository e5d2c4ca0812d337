"""How a source's figures get into ``FigureFact``: one ``INSERT … SELECT … GROUP BY`` per metric.

A source builds a grouped queryset with the columns ``f_program``, ``f_year``, ``f_month``, ``f_key``,
``f_region`` and ``f_value`` (``grouped``); ``insert_facts`` compiles it and inserts its rows in the
database, so no source row ever passes through Python.
"""

from django.db import connection
from django.db.models import CharField, F, IntegerField, QuerySet, Value
from django.db.models.functions import Cast, ExtractMonth, ExtractYear

from ..models import CycleFact, FigureFact

FACT_COLUMNS = ("metric", "program_id", "year", "month", "key", "region_code", "level", "value")


def null_int():
    return Cast(Value(None), IntegerField())


def text(value: str):
    return Value(value, output_field=CharField())


def _expr(value):
    if value is None:
        return null_int()
    return F(value) if isinstance(value, str) else value


def grouped(qs: QuerySet, *, value, region, program=None, year=None, month=None, key=None) -> QuerySet:
    """``qs`` grouped by program, year, month, key and region (field paths or expressions), with ``value``."""
    columns = {
        "f_program": _expr(program), "f_year": _expr(year), "f_month": _expr(month),
        "f_key": text("") if key is None else _expr(key), "f_region": _expr(region),
    }
    return qs.order_by().annotate(**columns).values(*columns).annotate(f_value=value)


def by_month(date_path: str) -> dict:
    """The ``year`` and ``month`` arguments of ``grouped`` for a date field."""
    return {"year": ExtractYear(date_path), "month": ExtractMonth(date_path)}


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def execute(sql: str, params=()) -> int:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return max(cur.rowcount, 0)


def insert_facts(qs: QuerySet, *, metric: str, level: int = 4) -> int:
    """Insert the rows of a ``grouped`` queryset as facts of ``metric`` at region ``level``."""
    sql, params = qs.query.sql_with_params()
    columns = ", ".join(quote(c) for c in FACT_COLUMNS)
    return execute(
        f"INSERT INTO {quote(FigureFact._meta.db_table)} ({columns}) "
        f"SELECT %s, src.f_program, src.f_year, src.f_month, src.f_key, src.f_region, %s, src.f_value "
        f"FROM ({sql}) src WHERE src.f_value <> 0", [metric, level, *params])


def roll_up_months(metrics: list[str]) -> int:
    """Add a yearly row (month empty) as the sum of each monthly series of ``metrics``."""
    if not metrics:
        return 0
    table, marks = quote(FigureFact._meta.db_table), ", ".join(["%s"] * len(metrics))
    columns = ", ".join(quote(c) for c in FACT_COLUMNS)
    return execute(
        f"INSERT INTO {table} ({columns}) "
        f"SELECT metric, program_id, year, NULL, {quote('key')}, region_code, level, SUM(value) FROM {table} "
        f"WHERE month IS NOT NULL AND metric IN ({marks}) "
        f"GROUP BY metric, program_id, year, {quote('key')}, region_code, level", metrics)


# Characters of a region code at each level: "36", "36.72", "36.72.03", "36.72.03.1001".
PREFIX_LENGTH = {0: 0, 1: 2, 2: 5, 3: 8}


def _prefix(level: int) -> str:
    return "''" if level == 0 else f"substr(region_code, 1, {PREFIX_LENGTH[level]})"


def _group(level: int) -> str:
    """The region part of a GROUP BY (none for the whole country: PostgreSQL refuses a constant there)."""
    return "" if level == 0 else ", " + _prefix(level)


def roll_up_regions(metrics: list[str]) -> int:
    """Sum the rows of ``metrics`` from each level into its parent, desa up to the whole country."""
    if not metrics:
        return 0
    table, marks = quote(FigureFact._meta.db_table), ", ".join(["%s"] * len(metrics))
    columns = ", ".join(quote(c) for c in FACT_COLUMNS)
    added = 0
    for level in (4, 3, 2, 1):
        prefix = _prefix(level - 1)
        added += execute(
            f"INSERT INTO {table} ({columns}) "
            f"SELECT metric, program_id, year, month, {quote('key')}, {prefix}, %s, SUM(value) FROM {table} "
            f"WHERE level = %s AND metric IN ({marks}) "
            f"GROUP BY metric, program_id, year, month, {quote('key')}{_group(level - 1)}",
            [level - 1, level, *metrics])
    return added


CYCLE_GROUP = ("cycle_id", "program_id", "year", "stage", "bank_code", "status", "paid_on")
CYCLE_SUMS = ("payments", "amount_rupiah", "paid_count", "paid_rupiah", "failed_count")


def roll_up_cycles() -> int:
    """Sum each cycle's rows from desa up to the whole country (min and max amounts kept)."""
    table = quote(CycleFact._meta.db_table)
    group = ", ".join(CYCLE_GROUP)
    sums = ", ".join(f"SUM({c})" for c in CYCLE_SUMS)
    columns = f"{group}, region_code, level, {', '.join(CYCLE_SUMS)}, min_amount_rupiah, max_amount_rupiah"
    added = 0
    for level in (4, 3, 2, 1):
        prefix = _prefix(level - 1)
        added += execute(
            f"INSERT INTO {table} ({columns}) "
            f"SELECT {group}, {prefix}, %s, {sums}, MIN(min_amount_rupiah), MAX(max_amount_rupiah) FROM {table} "
            f"WHERE level = %s GROUP BY {group}{_group(level - 1)}", [level - 1, level])
    return added
