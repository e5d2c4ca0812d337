"""Dashboard first paint at scale: the page's server time vs a raw SELECT of the same pre-aggregated rows.

Usage: HOUSEHOLDS=100000 python bench/dashboard.py      (SKIP_SEED=1 reuses the last database; RESUME=1 keeps it
and runs the steps again: the steps that already ran skip themselves)
Builds the demo world at scale on PostgreSQL (database ``jsika_bench_dashboard``) with ``seed_demo``'s steps
(each timed), refreshes the figures,
then GETs the dashboard as the province manager (dinsos.banten, scope 36) 20 times through Django's test
client. Goal (issue 10): ≤ 1 s at 1M households. The last line is the result.
"""

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("BENCH_DATABASE", "jsika_bench_dashboard")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import peak_rss_mb, setup_django, timed  # noqa: E402

REQUESTS = 20


def _steps() -> list[str]:
    """``seed_demo``'s own steps (``STEPS=seed_families,...`` picks some), without the figures refresh timed apart."""
    from jsika.core.demo import SEED_STEPS

    wanted = os.environ.get("STEPS", "")
    return [s for s in SEED_STEPS if s.rsplit(".", 1)[-1] != "seed_reports"
            and (not wanted or s.rsplit(".", 1)[-1] in wanted.split(","))]


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main():
    households = int(os.environ.get("HOUSEHOLDS", "100000"))
    setup_django(fresh=not (os.environ.get("SKIP_SEED") or os.environ.get("RESUME")))
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from jsika.core.demo import SeedContext, run_steps
    from jsika.registry.models import Household
    from jsika.reports.models import FigureFact
    from jsika.reports.services import refresh_figures

    results: dict[str, float] = {}
    if not os.environ.get("SKIP_SEED"):
        ctx = SeedContext(families=households)
        for path in _steps():
            with timed(f"seed {path.rsplit('.', 1)[-1]}", results):
                run_steps(ctx, [path])
    households = Household.objects.count()
    with timed("refresh_figures", results):
        run = refresh_figures()
    print(f"{households} households; {run.rows} pre-aggregated rows from {', '.join(run.sources)}", flush=True)

    setup_test_environment()  # the test client's response.context
    client = Client()
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="dinsos.banten"))
    client.get("/laporan/")  # warm: imports, template loading, connection
    page_ms = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        response = client.get("/laporan/")
        page_ms.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    table = FigureFact._meta.db_table
    raw_ms = []
    with connection.cursor() as cur:
        for _ in range(REQUESTS):
            start = time.perf_counter()
            cur.execute(f"SELECT metric, program_id, year, month, key, value FROM {table} WHERE region_code = %s",
                        ["36"])
            rows = cur.fetchall()
            cur.execute(f"SELECT region_code, metric, SUM(value) FROM {table} WHERE level = 2 AND month IS NULL "
                        f"AND region_code LIKE %s GROUP BY region_code, metric", ["36.%"])
            rows += cur.fetchall()
            raw_ms.append((time.perf_counter() - start) * 1000)
    page_median, page_p95 = statistics.median(page_ms), _percentile(page_ms, 95)
    raw_median = statistics.median(raw_ms)
    print(f"RESULT households={households} figure_rows={run.rows} refresh={results['refresh_figures']:.1f}s "
          f"page_median={page_median:.0f}ms page_p95={page_p95:.0f}ms raw_select_median={raw_median:.1f}ms "
          f"(rows={len(rows)}) ratio={page_median / raw_median:.0f}x peak_rss={peak_rss_mb():.0f}MB", flush=True)


if __name__ == "__main__":
    main()
