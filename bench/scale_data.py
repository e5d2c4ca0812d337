"""Registry data at bench scale: N households (≈4.3 persons each) streamed into PostgreSQL with COPY.

Shared by the benches that need a big registry (``seed_registry``); run on its own it seeds a fresh
database and reports the rate:

    SCALE=1 BENCH_DATABASE=jsika_bench_scale python bench/scale_data.py   # 1,000,000 households

Families come from the project's own generator (``jsika.registry.synthetic.FamilyGenerator``:
valid, unique NIKs and No. KK), streamed batch by batch into ``copy_families`` (COPY, history
rows by ``INSERT … SELECT``), so memory stays flat whatever the size. Households are spread over
Banten's kab/kota roughly like its population, so a kab/kota filter selects a realistic share.
"""

import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import peak_rss_mb, setup_django  # noqa: E402

# Share of households per kab/kota (≈ Banten's population, BPS 2023, in hundred thousands).
REGENCY_WEIGHTS = {
    "36.03": 33,  # Kabupaten Tangerang
    "36.71": 19,  # Kota Tangerang
    "36.04": 16,  # Kabupaten Serang
    "36.74": 14,  # Kota Tangerang Selatan
    "36.02": 14,  # Kabupaten Lebak
    "36.01": 13,  # Kabupaten Pandeglang
    "36.73": 7,  # Kota Serang
    "36.72": 4,  # Kota Cilegon
}


def scale_plan(households: int) -> dict[str, int]:
    """``households`` split over the kab/kota of REGENCY_WEIGHTS (the counts add up exactly)."""
    total = sum(REGENCY_WEIGHTS.values())
    plan = {code: households * weight // total for code, weight in REGENCY_WEIGHTS.items()}
    plan["36.03"] += households - sum(plan.values())
    return plan


REGISTRY_TABLES = ("registry_household", "registry_person", "registry_historicalhousehold",
                   "registry_historicalperson")


@contextmanager
def indexes_deferred(tables=REGISTRY_TABLES, verbose: bool = True):
    """Drop the tables' plain indexes for a bulk load and build them again after it (a bench database only).

    Indexes that back a constraint (primary keys, unique No. KK / NIK) stay, so every row is still
    checked; the others are rebuilt from their own definitions (``pg_get_indexdef``), which is far
    faster than maintaining them row by row at millions of rows.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid::regclass::text = ANY(%s) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)", [list(tables)])
        plain = cursor.fetchall()
        for name, _ in plain:
            cursor.execute(f"DROP INDEX {name}")
    try:
        yield
    finally:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for _, definition in plain:
                cursor.execute(definition)
        if verbose:
            print(f"  {len(plain)} indexes rebuilt in {time.perf_counter() - started:.0f} s", flush=True)


def seed_registry(households: int, *, by=None, seed: int = 11, batch_size: int = 5000, verbose: bool = True,
                  defer_indexes: bool = True):
    """Insert ``households`` generated families (call after ``setup_django``); returns (households, persons, s).

    ``defer_indexes`` drops and rebuilds the registry's plain indexes around the load (only for a
    database the bench owns)."""
    from django.db import connection

    from jsika.registry.synthetic import FamilyGenerator, copy_families

    started = time.perf_counter()
    generator = FamilyGenerator(seed=seed)
    done = 0

    def progress(n):
        nonlocal done
        done += n
        if verbose and done % 100_000 < n:
            elapsed = time.perf_counter() - started
            print(f"  {done} households, {elapsed:.0f} s ({done / elapsed:.0f}/s)", flush=True)

    with indexes_deferred() if defer_indexes else _nothing():
        made, persons = copy_families(generator.families(scale_plan(households)), by=by, change_reason="bench",
                                      batch_size=batch_size, progress=progress)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        # A steady state: statistics, and the visibility map that index-only scans rely on.
        cursor.execute("VACUUM (ANALYZE) registry_household, registry_person")
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_seed (households int, persons int, seconds float, "
                       "load float, at timestamptz DEFAULT now())")
        cursor.execute("INSERT INTO bench_seed (households, persons, seconds, load) VALUES (%s, %s, %s, %s)",
                       [made, persons, seconds, os.getloadavg()[0]])
    return made, persons, seconds


def seeded(households: int):
    """(households, persons, seconds) of an earlier ``seed_registry`` of this size in this database, or None."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_seed') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return None
        cursor.execute("SELECT households, persons, seconds FROM bench_seed WHERE households = %s "
                       "ORDER BY at DESC LIMIT 1", [households])
        return cursor.fetchone()


@contextmanager
def _nothing():
    yield


def main():
    households = int(float(os.environ.get("SCALE", "0.01")) * 1_000_000)
    setup_django()
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("bench", password="x")
    made, persons, seconds = seed_registry(households, by=admin)
    print(f"RESULT households={made} persons={persons} seconds={seconds:.1f} households/s={made / seconds:.0f} "
          f"persons/s={persons / seconds:.0f} peak_rss={peak_rss_mb():.0f}MB", flush=True)


if __name__ == "__main__":
    main()
