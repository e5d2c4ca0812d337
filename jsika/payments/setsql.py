"""Set-based SQL for the payments bulk paths: INSERT … SELECT from a queryset, and history in one statement.

The same statements run on PostgreSQL and SQLite (3.33+ for ``UPDATE … FROM``). Nothing here loops
over rows: a cycle of a million payments is a handful of statements.
"""

from django.core.exceptions import EmptyResultSet
from django.db import connection, models
from django.db.models import QuerySet
from django.utils import timezone


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def table(model: type[models.Model]) -> str:
    return quote(model._meta.db_table)


def column(model: type[models.Model], field: str) -> str:
    return quote(model._meta.get_field(field).column)


def execute(sql: str, params=()) -> int:
    """Run one statement; the number of rows it touched."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def insert_from(model: type[models.Model], fields: list[str], qs: QuerySet) -> int:
    """``INSERT INTO model (fields) SELECT …`` where ``qs`` is a ``values_list`` in the same order."""
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:  # the filters can match nothing (e.g. ``pk__in=[]``): nothing to insert
        return 0
    columns = ", ".join(column(model, f) for f in fields)
    return execute(f"INSERT INTO {table(model)} ({columns}) {sql}", params)


def snapshot_history(model: type[models.Model], where: str, params=(), *, by=None, reason: str = "",
                     history_type: str = "~") -> int:
    """Write one django-simple-history row per row of ``model`` matching ``where`` (SQL on its table).

    The rows are copied as they are now, so call it after the change (``~``) or after the insert (``+``).
    """
    history = model.history.model
    columns = [f.column for f in history._meta.concrete_fields if not f.name.startswith("history_")]
    listed = ", ".join(quote(c) for c in columns)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    sql = (f"INSERT INTO {table(history)} ({listed}, {quote('history_date')}, {quote('history_change_reason')}, "
           f"{quote('history_type')}, {quote('history_user_id')}) "
           f"SELECT {listed}, %s, %s, %s, %s FROM {table(model)} WHERE {where}")
    return execute(sql, [now, reason[:100] or None, history_type, by.pk if by else None, *params])


def analyze(*models_: type[models.Model]) -> None:
    """Refresh PostgreSQL's planner statistics of these tables (no-op elsewhere).

    Set-based statements are planned from statistics; right after a bulk load in the same transaction they
    say "empty" and the planner picks nested loops over thousands of rows. Bulk loaders (the demo, the
    bench) call this before generating; autovacuum keeps them fresh in normal operation.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models_:
            cursor.execute(f"ANALYZE {table(model)}")


def db_datetime(value):
    return connection.ops.adapt_datetimefield_value(value)


def db_date(value):
    return connection.ops.adapt_datefield_value(value)
