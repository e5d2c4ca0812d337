"""Set-based inserts: PostgreSQL COPY where available, batched multi-row INSERT elsewhere."""

import json
from collections.abc import Iterable, Sequence

from django.db import connection, models


def copy_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert ``rows`` (tuples in ``fields`` order, Python values) into ``model``'s table; returns the count.

    PostgreSQL gets one COPY stream; SQLite gets ``bulk_create`` in batches. No signals, no
    ``save()``: callers write history themselves when the rows are records users see.
    """
    rows = list(rows)
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**dict(zip(fields, row, strict=True))) for row in rows], batch_size=2000)
        return len(rows)
    meta = model._meta
    columns = [meta.get_field(f).column for f in fields]
    json_at = {i for i, f in enumerate(fields) if isinstance(meta.get_field(f), models.JSONField)}
    sql = "COPY {} ({}) FROM STDIN".format(
        connection.ops.quote_name(meta.db_table), ", ".join(connection.ops.quote_name(c) for c in columns))
    with connection.cursor() as cursor, cursor.connection.cursor().copy(sql) as copy:
        for row in rows:
            copy.write_row([json.dumps(v) if i in json_at else v for i, v in enumerate(row)])
    return len(rows)
