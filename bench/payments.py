"""Payments at scale: N active enrollments on PostgreSQL, each step against its raw-SQL floor.

Usage: SCALE=1.0 python bench/payments.py   (SCALE=1 → 1,000,000 active enrollments; default 0.05)
Runs in its own database (BENCH_DATABASE, default jsika_bench_payments), recreated each run.

Measures, in one run (issue 6, goals in brackets):
- cycle generation (``services.open_cycle``: exclusions, payments, funder shares, totals) vs a raw
  ``INSERT … SELECT`` of the same payment rows [≤ 2×]; also vs raw payments + shares, the same rows written;
- bank file export (``services.export_payment_file``) vs a raw ``COPY (SELECT …) TO`` [≤ 2×];
- reconciliation import of every row (``services.import_reconciliation``) vs a raw ``COPY`` into a temp
  table plus one ``UPDATE … FROM`` [≤ 3×]; and the idempotent re-import;
- peak memory of the process [≤ 1 GB].
The last line holds the ratios.
"""

import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("BENCH_DATABASE", "jsika_bench_payments")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import peak_rss_mb, setup_django, timed  # noqa: E402

PROGRAM = "BENCH"
YEAR = 2025


def build_world(n: int) -> dict:
    """A cost-shared program (province 60%, kab/kota 40%, Rp1,000,000 a year in four stages, BRI) with ``n``
    active KPM across Banten's villages, each with one active BRI account. Set-based, then ANALYZE."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from jsika.payments import services as pay
    from jsika.programs import services as programs
    from jsika.programs.models import BenefitRule
    from jsika.regions.models import Region

    users = get_user_model().objects
    admin = users.create_superuser("bench.admin", password="x")
    people = {
        "operator": users.create_user("bench.op1", password="x", role="operator", scope="36"),
        "operator2": users.create_user("bench.op2", password="x", role="operator", scope="36"),
        "manager": users.create_user("bench.mgr", password="x", role="manager", scope="36"),
        "bank": users.create_user("bench.bri", password="x", role="bank", bank_code="BRI"),
    }
    program = programs.create_program(by=admin, code=PROGRAM, name="Program uji beban", owner_region="36",
                                      start_year=2020, cycles_per_year=4, bank_code="BRI", tenure_years=5)
    programs.set_funding_shares(program=program, by=admin, shares=[("36", 60), (None, 40)])
    programs.set_benefit_rule(program=program, by=admin, year=2020, kind=BenefitRule.Kind.FLAT,
                              amount_rupiah=1_000_000)
    villages = list(Region.objects.filter(level=4, code__startswith="36.").values_list("code", flat=True))
    with connection.cursor() as cur:
        cur.execute("CREATE TEMP TABLE bench_villages (i int, code varchar(13))")
        with cur.copy("COPY bench_villages (i, code) FROM STDIN") as copy:
            for i, code in enumerate(villages):
                copy.write_row((i, code))
        cur.execute(
            "INSERT INTO registry_household (no_kk, region_id, address, rt, rw, desil, is_pkh_recipient, "
            "created_at, updated_at) SELECT '3' || lpad(g::text, 15, '0'), v.code, 'Alamat ' || g, '001', '002', "
            "1 + g %% 4, false, now(), now() FROM generate_series(1, %s) g "
            "JOIN bench_villages v ON v.i = g %% %s", [n, len(villages)])
        cur.execute(
            "INSERT INTO payments_bankaccount (household_id, bank_code, account_number, holder_name, holder_nik, "
            "status, opened_on, created_at, updated_at) SELECT id, 'BRI', lpad(id::text, 15, '0'), "
            "'Penerima ' || id, lpad(id::text, 16, '3'), 'active', '2024-01-01', now(), now() "
            "FROM registry_household")
        cur.execute(
            "INSERT INTO programs_enrollment (program_id, household_id, status, exit_reason, proposed_by_id, "
            "proposed_at, started_on, tenure_ends_on, needs_reverification, created_at, updated_at) "
            "SELECT %s, id, 'active', '', %s, now(), '2024-03-01', '2029-03-01', false, now(), now() "
            "FROM registry_household", [program.pk, admin.pk])
        for table in ("registry_household", "payments_bankaccount", "programs_enrollment"):
            cur.execute(f"VACUUM ANALYZE {table}")
    funders = ["36", *sorted({c[:5] for c in villages})]
    for funder in funders:
        pay.set_budget(program=program, year=YEAR, funder_region=funder, allocated_rupiah=10**13, by=people["manager"])
    return {"program": program, "people": people, "admin": admin}


RAW_PAYMENTS = """
INSERT INTO payments_payment (cycle_id, program_id, year, stage, enrollment_id, household_id, region_code,
    bank_account_id, bank_code, account_number, holder_name, holder_nik, amount_rupiah, status, bank_reason,
    flag_reason, reversal_reason, created_at, updated_at)
SELECT %s, e.program_id, %s, %s, e.id, e.household_id, h.region_id, a.id, 'BRI', a.account_number, a.holder_name,
    a.holder_nik, 250000, 'pending', '', '', '', now(), now()
FROM programs_enrollment e JOIN registry_household h ON h.id = e.household_id
JOIN payments_bankaccount a ON a.household_id = e.household_id AND a.bank_code = 'BRI' AND a.status = 'active'
WHERE e.program_id = %s AND e.status = 'active'
"""
RAW_SHARES = """
INSERT INTO payments_paymentshare (payment_id, funder_region_id, amount_rupiah)
SELECT p.id, '36', p.amount_rupiah - p.amount_rupiah * 40 / 100 FROM payments_payment p WHERE p.cycle_id = %s
UNION ALL
SELECT p.id, SUBSTR(p.region_code, 1, 5), p.amount_rupiah * 40 / 100 FROM payments_payment p WHERE p.cycle_id = %s
"""


def vacuum(*tables: str) -> None:
    """Clean up after a rolled-back baseline (autocommit: VACUUM cannot run in a transaction)."""
    from django.db import connection

    with connection.cursor() as cur:
        for table in tables:
            cur.execute(f"VACUUM ANALYZE {table}")


def trace(execute, sql, params, many, context):
    """BENCH_TRACE=1: print every statement slower than 50 ms (to see where the time goes)."""
    start = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        spent = time.perf_counter() - start
        if spent > 0.05:
            print(f"    {spent:6.2f} s  {' '.join(sql.split())[:160]}", flush=True)


def main():
    n = int(float(os.environ.get("SCALE", "0.05")) * 1_000_000)
    setup_django()
    from django.db import connection, transaction

    if os.environ.get("BENCH_TRACE"):
        connection.execute_wrappers.append(trace)

    from jsika.payments import services
    from jsika.payments.models import Payment, PaymentCycle

    results: dict[str, float] = {}
    work = Path(tempfile.mkdtemp(prefix="bench-payments-"))
    with timed("build world", results):
        world = build_world(n)
    program, p = world["program"], world["people"]
    print(f"{n} active enrollments with accounts", flush=True)

    # --- generation vs raw INSERT … SELECT (stage 2, rolled back, so the project's stage 1 starts clean) ----
    scratch = PaymentCycle.objects.create(program=program, year=YEAR, stage=2, region_id="36", bank_code="BRI",
                                          generated_by=world["admin"])
    with connection.cursor() as cur:
        with transaction.atomic():
            start = time.perf_counter()
            # Foreign keys are checked at commit (deferred); the baseline is rolled back, so it forces the checks
            # with SET CONSTRAINTS ALL IMMEDIATE: the same work the project's commit does.
            cur.execute(RAW_PAYMENTS, [scratch.pk, YEAR, 2, program.pk])
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            results["raw INSERT payments"] = time.perf_counter() - start
            cur.execute("SET CONSTRAINTS ALL DEFERRED")
            cur.execute(RAW_SHARES, [scratch.pk, scratch.pk])
            assert cur.rowcount == 2 * n
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            results["raw INSERT payments+shares"] = time.perf_counter() - start
            transaction.set_rollback(True)
        print(f"raw INSERT payments: {results['raw INSERT payments']:.2f} s; + shares: "
              f"{results['raw INSERT payments+shares']:.2f} s", flush=True)
    scratch.delete()
    vacuum("payments_payment", "payments_paymentshare")

    with timed("project generation", results):
        cycle = services.open_cycle(program=program, year=YEAR, stage=1, by=p["operator"])
    assert cycle.payment_count == n and cycle.total_rupiah == n * 250_000, (cycle.payment_count, cycle.total_rupiah)
    with timed("verify + approve (budget check)", results):
        cycle = services.verify_cycle(cycle=cycle, by=p["operator2"])
        cycle = services.approve_cycle(cycle=cycle, by=p["manager"])

    # --- bank file vs COPY … TO ---------------------------------------------------------------------------
    from jsika.payments.bankfiles import _select_sql

    select, _table = _select_sql()
    raw_file = work / "raw.csv"
    with connection.cursor() as cur, timed("raw COPY TO", results), open(raw_file, "wb") as out, \
            cur.connection.cursor().copy(f"COPY ({select}) TO STDOUT WITH (FORMAT csv, DELIMITER ';', HEADER true)",
                                         [PROGRAM, cycle.pk]) as copy:
        for chunk in copy:
            out.write(chunk)
    bank_file = work / "bank.csv"
    with timed("project export", results):
        summary = services.export_payment_file(cycle=cycle, by=p["bank"], out=bank_file)
    assert summary.rows == n and summary.total_rupiah == n * 250_000
    assert bank_file.read_bytes() == raw_file.read_bytes()

    # --- reconciliation vs COPY into a temp table + one UPDATE … FROM -------------------------------------
    answer = work / "rekon.csv"
    with open(bank_file, encoding="utf-8") as src, open(answer, "w", encoding="utf-8") as dst:
        next(src)
        dst.write("id_penyaluran;no_rekening;nominal;status;tanggal;keterangan\n")
        for line in src:
            cells = line.rstrip("\n").split(";")
            dst.write(f"{cells[0]};{cells[1]};{cells[4]};BERHASIL;{date(YEAR, 5, 20).isoformat()};\n")
    with connection.cursor() as cur:
        with transaction.atomic():
            start = time.perf_counter()
            cur.execute("CREATE TEMP TABLE raw_recon (id bigint, no_rekening text, nominal bigint, status text, "
                        "tanggal date, keterangan text)")
            with open(answer, "rb") as fh, cur.copy("COPY raw_recon FROM STDIN WITH (FORMAT csv, DELIMITER ';', "
                                                    "HEADER true)") as copy:
                while chunk := fh.read(1 << 20):
                    copy.write(chunk)
            cur.execute("UPDATE payments_payment p SET status = 'paid', credited_amount_rupiah = r.nominal, "
                        "credited_on = r.tanggal, updated_at = now() FROM raw_recon r WHERE r.id = p.id")
            assert cur.rowcount == n, cur.rowcount
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            results["raw COPY + UPDATE"] = time.perf_counter() - start
            transaction.set_rollback(True)
    print(f"raw COPY + UPDATE: {results['raw COPY + UPDATE']:.2f} s", flush=True)
    vacuum("payments_payment")

    with timed("project reconciliation", results):
        result = services.import_reconciliation(cycle=cycle, file=answer, by=p["bank"], collect_applied=False)
    assert result.applied_count == n and not result.rejected and not result.flagged
    with timed("re-import (idempotent)", results):
        again = services.import_reconciliation(cycle=cycle, file=answer, by=p["bank"], collect_applied=False)
    assert again.unchanged == n and again.applied_count == 0
    cycle.refresh_from_db()
    assert cycle.paid_count == n and cycle.status == "reconciled"
    assert Payment.objects.filter(cycle=cycle, status="paid").count() == n

    gen = results["project generation"] / results["raw INSERT payments"]
    gen_all = results["project generation"] / results["raw INSERT payments+shares"]
    export = results["project export"] / results["raw COPY TO"]
    recon = results["project reconciliation"] / results["raw COPY + UPDATE"]
    print(f"RESULT n={n} generation={results['project generation']:.1f}s "
          f"raw_insert={results['raw INSERT payments']:.1f}s "
          f"ratio={gen:.1f}x (vs payments+shares {gen_all:.1f}x) export={results['project export']:.1f}s "
          f"copy_to={results['raw COPY TO']:.1f}s ratio={export:.1f}x "
          f"reconcile={results['project reconciliation']:.1f}s copy_update={results['raw COPY + UPDATE']:.1f}s "
          f"ratio={recon:.1f}x reimport={results['re-import (idempotent)']:.1f}s peak_rss={peak_rss_mb():.0f}MB",
          flush=True)


if __name__ == "__main__":
    main()
