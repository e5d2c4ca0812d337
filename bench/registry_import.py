"""Registry import of N households (≈4 persons each) from CSV vs a raw COPY of the same file.

Usage: SCALE=1.0 python bench/registry_import.py   (SCALE=1 → 1,000,000 households)
Goal (issue 11): the project's import ≤ 3× the raw COPY, peak RSS ≤ 1 GB.
JSIKA_IMPORT_ENGINE=python measures the Python path (what SQLite uses) on PostgreSQL for comparison.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import peak_rss_mb, setup_django, timed  # noqa: E402


def main():
    households = int(float(os.environ.get("SCALE", "0.01")) * 1_000_000)
    setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from jsika.registry import import_pg, import_sql, importer
    from jsika.registry.fileformat import COLUMNS
    from jsika.registry.models import Household, Person
    from jsika.registry.services import import_family_file
    from jsika.registry.synthetic import generate_rows, write_csv

    results: dict[str, float] = {}
    work = Path(tempfile.mkdtemp(prefix="bench-import-"))
    source = work / "keluarga.csv"
    per_district = {"36.72": households // 2, "36.04": households - households // 2}
    with timed("generate csv", results):
        persons = write_csv(generate_rows(per_district, seed=7), source)
    print(f"{households} households, {persons} persons, {source.stat().st_size / 2**20:.0f} MB", flush=True)

    with connection.cursor() as cur, timed("raw COPY", results):
        cur.execute("CREATE UNLOGGED TABLE bench_raw (" + ", ".join(f'"{c}" text' for c in COLUMNS) + ")")
        with open(source, "rb") as fh, cur.copy(
                "COPY bench_raw FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
            while chunk := fh.read(1 << 20):
                copy.write(chunk)
        cur.execute("DROP TABLE bench_raw")

    admin = get_user_model().objects.create_superuser("bench", password="x")
    with timed("project import", results):
        report, _ = import_family_file(path=source, by=admin, rejects_path=work / "rejects.csv")
    print(report.summary(), flush=True)
    phases = " ".join(f"{k.replace(' ', '_')}={v:.1f}s" for k, v in import_pg.PHASE_SECONDS.items())
    print(f"engine={importer.engine()} phases: {phases}", flush=True)
    assert report.rows_rejected == 0, "synthetic data must import cleanly"
    assert Household.objects.count() == households and Person.objects.count() == persons

    print("apply statements: " + " ".join(f"{k.replace(' ', '_')}={v:.1f}s"
                                          for k, v in import_sql.STATEMENT_SECONDS.items()), flush=True)
    # A floor no import can beat: the same records and history rows written into copies of the registry's
    # tables with all their indexes, by plain INSERT … SELECT (no checks at all), then dropped.
    tables = ["registry_household", "registry_historicalhousehold", "registry_person", "registry_historicalperson"]
    with connection.cursor() as cur, timed("write floor", results):
        for t in tables:
            cur.execute(f"CREATE TABLE bench_{t} (LIKE {t} INCLUDING DEFAULTS INCLUDING INDEXES)")
            cur.execute(f"INSERT INTO bench_{t} SELECT * FROM {t}")
    with connection.cursor() as cur:
        for t in tables:
            cur.execute(f"DROP TABLE bench_{t}")

    with timed("re-import (idempotent)", results):
        again, _ = import_family_file(path=source, by=admin, rejects_path=work / "rejects.csv")
    assert again.persons_unchanged == persons
    phases = " ".join(f"{k.replace(' ', '_')}={v:.1f}s" for k, v in import_pg.PHASE_SECONDS.items())
    print(f"re-import phases: {phases}", flush=True)

    ratio = results["project import"] / results["raw COPY"]
    rows_per_s = persons / results["project import"]
    print(f"RESULT engine={importer.engine()} households={households} persons={persons} "
          f"import={results['project import']:.1f}s "
          f"copy={results['raw COPY']:.2f}s ratio={ratio:.1f}x rows/s={rows_per_s:.0f} "
          f"reimport={results['re-import (idempotent)']:.1f}s write_floor={results['write floor']:.1f}s "
          f"ratio_to_floor={results['project import'] / results['write floor']:.1f}x "
          f"peak_rss={peak_rss_mb():.0f}MB", flush=True)


if __name__ == "__main__":
    t = time.time()
    main()
