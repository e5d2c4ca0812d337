"""A database's fingerprint: row counts per table and sums of every money column.

Used to prove a backup restores to the same data (docs/operations.md) and by the crash tests.
"""

from django.apps import apps
from django.db import connections, models


def database_fingerprint(alias: str = "default") -> dict[str, dict[str, int]]:
    """{table: {"rows": n, "<column>_sum": total for each *_rupiah column}} for every project table."""
    connection = connections[alias]
    result = {}
    existing = set(connection.introspection.table_names())
    for model in apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        if table not in existing or table in result:
            continue
        money = [f.column for f in model._meta.concrete_fields
                 if f.column.endswith("_rupiah") and isinstance(f, models.IntegerField | models.BigIntegerField)]
        selects = ["COUNT(*)"] + [f"COALESCE(SUM({connection.ops.quote_name(c)}), 0)" for c in money]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(selects)} FROM {connection.ops.quote_name(table)}")
            values = cursor.fetchone()
        result[table] = {"rows": int(values[0]), **{f"{c}_sum": int(v) for c, v in zip(money, values[1:],
                                                                                         strict=True)}}
    return result
