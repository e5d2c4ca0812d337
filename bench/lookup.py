"""NIK look-up and criteria search through the API (django-ninja, bearer token) vs raw SQL on the same indexes.

Usage: SCALE=1 BENCH_DATABASE=jsika_bench_lookup python bench/lookup.py   (SCALE=1 → 1,000,000 households,
≈4.3M persons). ``BENCH_REUSE=1`` keeps a database that ``bench/scale_data.py`` (or an earlier run)
seeded at the same SCALE: it is migrated, not rebuilt, and the seeding figures are read back.
Goals (issue 11): `GET /api/v1/persons?nik=…` p95 ≤ 20 ms at 4M persons;
`GET /api/v1/households?wilayah=…&hamil=true&anak_sekolah=…` p95 ≤ 150 ms at 1M households.

Requests go through the whole Django stack in-process (middleware, token auth, scoping, access
log, JSON) with ``django.test.Client``; no HTTP server (``bench/api_load.py`` measures that). The
raw baseline runs the equivalent hand-written SQL on the same connection: a person by NIK joined
to its household; for the search, the count plus first page of households both over the members
(an EXISTS per criterion, what the API ran before the member summary) and over the households'
member summary columns (what the API runs now: the search ratio is against this one).
"""

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("BENCH_DATABASE", "jsika_bench_lookup")  # a database of its own unless told otherwise
from bench.common import peak_rss_mb, setup_django  # noqa: E402
from bench.scale_data import seed_registry, seeded  # noqa: E402

LOOKUPS = int(os.environ.get("BENCH_LOOKUPS", "1000"))
SEARCHES = int(os.environ.get("BENCH_SEARCHES", "40"))  # per criteria combination


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[-1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}ms"


def timed_calls(calls) -> list[float]:
    samples = []
    for call in calls:
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


RAW_PERSON = """
    SELECT p.id, p.nik, p.name, p.sex, p.birth_date, p.relation, p.education, p.school_status, p.pregnant,
           p.disabled, p.occupation, p.nik_mismatch, h.id, h.no_kk, h.region_id, r.name
    FROM registry_person p JOIN registry_household h ON h.id = p.household_id
    JOIN regions_region r ON r.code = h.region_id
    WHERE p.nik = %s
"""

RAW_SEARCH_WHERE = """
    FROM registry_household h
    WHERE (h.region_id = %(w)s OR h.region_id LIKE %(prefix)s)
      AND EXISTS (SELECT 1 FROM registry_person p WHERE p.household_id = h.id AND p.pregnant)
      AND EXISTS (SELECT 1 FROM registry_person p WHERE p.household_id = h.id AND p.school_status = %(level)s)
"""
# The same search by hand over the household's member summary (registry.summary): what the API runs now.
RAW_SUMMARY_WHERE = """
    FROM registry_household h
    WHERE h.region_id LIKE %(like)s AND (h.member_flags & %(bits)s) = %(bits)s
"""
RAW_SUMMARY_PAGE = """
    SELECT h.id, h.no_kk, h.region_id, h.address, h.rt, h.rw, h.desil, h.latitude, h.longitude,
           (SELECT name FROM registry_person p WHERE p.household_id = h.id AND p.relation = 'kepala keluarga'
            ORDER BY p.id LIMIT 1),
           (SELECT count(*) FROM registry_person p WHERE p.household_id = h.id)
""" + RAW_SUMMARY_WHERE + " ORDER BY h.region_id, h.id LIMIT 50"
RAW_SEARCH_PAGE = """
    SELECT h.id, h.no_kk, h.region_id, h.address, h.rt, h.rw, h.desil, h.latitude, h.longitude,
           (SELECT name FROM registry_person p WHERE p.household_id = h.id AND p.relation = 'kepala keluarga'
            ORDER BY p.id LIMIT 1),
           (SELECT count(*) FROM registry_person p WHERE p.household_id = h.id)
""" + RAW_SEARCH_WHERE + " ORDER BY h.region_id, h.id LIMIT 50"


def main():
    households = int(float(os.environ.get("SCALE", "0.01")) * 1_000_000)
    reuse = os.environ.get("BENCH_REUSE") == "1"
    setup_django(fresh=not reuse)
    from io import StringIO

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from jsika.registry.summary import SCHOOL_FLAGS, MemberFlag

    users = get_user_model().objects
    admin = users.filter(username="bench").first() or users.create_superuser("bench", password="x")
    earlier = seeded(households) if reuse else None
    made, persons, seconds = earlier or seed_registry(households, by=admin)
    print(f"seeded {made} households, {persons} persons in {seconds:.0f} s ({made / seconds:.0f} households/s)",
          flush=True)

    manager = (users.filter(username="bench.manager").first()
               or users.create_user("bench.manager", password="x", role="manager", scope="36"))
    out = StringIO()
    call_command("create_api_token", manager.username, stdout=out, stderr=StringIO())
    client = Client(headers={"Authorization": f"Bearer {out.getvalue().strip()}"})

    rng = random.Random(5)
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM registry_person")
        low, high = cursor.fetchone()
        cursor.execute("SELECT nik FROM registry_person WHERE id = ANY(%s)",
                       [[rng.randint(low, high) for _ in range(LOOKUPS)]])
        niks = [row[0] for row in cursor.fetchall()]
    rng.shuffle(niks)

    # --- NIK look-up ---
    def api_lookup(nik):
        response = client.get("/api/v1/persons", {"nik": nik})
        assert response.status_code == 200 and response.json()["count"] == 1, response.content[:300]

    def raw_lookup(nik):
        with connection.cursor() as cursor:
            cursor.execute(RAW_PERSON, [nik])
            assert len(cursor.fetchall()) == 1

    for nik in niks[:50]:  # warm the caches and the connection
        api_lookup(nik)
        raw_lookup(nik)
    api = timed_calls([lambda nik=nik: api_lookup(nik) for nik in niks])
    raw = timed_calls([lambda nik=nik: raw_lookup(nik) for nik in niks])
    print(f"NIK look-up x{len(niks)}: API median {ms(statistics.median(api))} p95 {ms(p95(api))}; "
          f"raw median {ms(statistics.median(raw))} p95 {ms(p95(raw))}", flush=True)
    def api_miss(nik):  # same auth and query, no match: no access-log row written
        response = client.get("/api/v1/persons", {"nik": nik})
        assert response.status_code == 200 and response.json()["count"] == 0, response.content[:300]

    misses = [nik[:-4] + "0000" for nik in niks[:200]]  # serial 0000 is never issued
    miss = timed_calls([lambda nik=nik: api_miss(nik) for nik in misses])
    print(f"NIK look-up of an unknown NIK x{len(miss)} (no access-log row): API median {ms(statistics.median(miss))} "
          f"p95 {ms(p95(miss))}", flush=True)
    with CaptureQueriesContext(connection) as queries:
        api_lookup(niks[0])
    print(f"queries per API look-up: {len(queries)}", flush=True)
    for q in queries.captured_queries:
        print("  ", q["time"], q["sql"][:160], flush=True)

    # --- criteria search ---
    with connection.cursor() as cursor:  # the biggest kab/kota, and its biggest kecamatan
        cursor.execute("SELECT left(region_id, 8), count(*) FROM registry_household WHERE region_id LIKE '36.03.%%' "
                       "GROUP BY 1 ORDER BY 2 DESC LIMIT 1")
        district, district_households = cursor.fetchone()
    cases = [(wilayah, level) for wilayah in ("36.03", district, "36.72") for level in ("sma", "smp", "sd")]
    search = {}
    for wilayah, level in cases:
        params = {"wilayah": wilayah, "hamil": "true", "anak_sekolah": level}
        raw_params = {"w": wilayah, "prefix": wilayah + ".%", "level": level}
        bits = int(MemberFlag.PREGNANT | SCHOOL_FLAGS[level])
        summary_params = {"like": wilayah + "%", "bits": bits}

        def api_search(params=params):
            response = client.get("/api/v1/households", params)
            assert response.status_code == 200, response.content[:300]
            return response.json()["count"]

        def raw_search(raw_params=raw_params):
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) " + RAW_SEARCH_WHERE, raw_params)
                count = cursor.fetchone()[0]
                cursor.execute(RAW_SEARCH_PAGE, raw_params)
                cursor.fetchall()
            return count

        def raw_summary_search(summary_params=summary_params):
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) " + RAW_SUMMARY_WHERE, summary_params)
                count = cursor.fetchone()[0]
                cursor.execute(RAW_SUMMARY_PAGE, summary_params)
                cursor.fetchall()
            return count

        assert api_search() == raw_search() == raw_summary_search()
        search[(wilayah, level)] = (timed_calls([api_search] * SEARCHES), timed_calls([raw_search] * SEARCHES),
                                    timed_calls([raw_summary_search] * SEARCHES), api_search())
    api_all = [s for a, _, _, _ in search.values() for s in a]
    raw_all = [s for _, r, _, _ in search.values() for s in r]
    summary_all = [s for _, _, r, _ in search.values() for s in r]
    for (wilayah, level), (a, r, rs, count) in search.items():
        print(f"search wilayah={wilayah} hamil=true anak_sekolah={level}: {count} households; "
              f"API median {ms(statistics.median(a))} p95 {ms(p95(a))}; raw over members p95 {ms(p95(r))}; "
              f"raw over the summary p95 {ms(p95(rs))}", flush=True)

    # EXPLAIN of what the API ran for the widest search, for docs/performance.md
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/households", {"wilayah": "36.03", "hamil": "true", "anak_sekolah": "sma"})
    with connection.cursor() as cursor:
        for q in queries.captured_queries:
            if "registry_household" in q["sql"] and ("COUNT(" in q["sql"] or "LIMIT" in q["sql"]):
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + q["sql"])
                print(f"-- {q['time']} s: {q['sql'][:100]}…")
                print("\n".join(row[0] for row in cursor.fetchall()), flush=True)
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + RAW_PERSON.replace("%s", f"'{niks[0]}'"))
        print("-- raw NIK look-up")
        print("\n".join(row[0] for row in cursor.fetchall()), flush=True)

    load = os.getloadavg()
    print(f"RESULT households={made} persons={persons} seed={seconds:.0f}s ({made / seconds:.0f} households/s) "
          f"nik_p95={ms(p95(api))} raw_nik_p95={ms(p95(raw))} nik_ratio={p95(api) / p95(raw):.1f}x "
          f"search_p95={ms(p95(api_all))} raw_members_p95={ms(p95(raw_all))} raw_summary_p95={ms(p95(summary_all))} "
          f"search_ratio={p95(api_all) / p95(summary_all):.1f}x load={load[0]:.1f} peak_rss={peak_rss_mb():.0f}MB",
          flush=True)


if __name__ == "__main__":
    main()
