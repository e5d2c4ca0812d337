"""A process killed (SIGKILL) mid-way through generation or reconciliation leaves no trace; restarted, it ends once.

The work runs in a child process against the test database (a file copy of it on SQLite); the child
pauses after its bulk statements have written rows, the test kills it, then checks counts and sums.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from ..models import Payment, PaymentCycle
from .factories import approved_cycle, jscm_world

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(settings.BASE_DIR)
CHILD = """
import os, sys, time
os.environ["DJANGO_SETTINGS_MODULE"] = "jsika.settings.test"
sys.path.insert(0, {root!r})
import django
django.setup()
from django.contrib.auth import get_user_model
from jsika.payments import generation, services, setsql
from jsika.payments.models import Payment, PaymentCycle
from jsika.programs.models import Program

def pause(*args, **kwargs):
    print("ROWS", Payment.objects.count(), Payment.objects.filter(status="paid").count(), flush=True)
    time.sleep(120)

users = get_user_model().objects
{body}
"""


def _database_url(tmp_path) -> tuple[str, Path | None]:
    """A URL the child can open: the test database itself (PostgreSQL) or a file copy of it (SQLite)."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}", None
    copy = tmp_path / "copy.sqlite3"
    target = sqlite3.connect(copy)
    connection.ensure_connection()
    connection.connection.backup(target)
    target.close()
    return f"sqlite:///{copy}", copy


def _kill_mid_way(tmp_path, body: str) -> tuple[Path | None, str, str]:
    """Run ``body`` in a child until it pauses, SIGKILL it; (the SQLite copy or None, its line, its database)."""
    url, copy = _database_url(tmp_path)
    script = CHILD.format(root=str(ROOT), body=textwrap.dedent(body))
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env={**os.environ, "DATABASE_URL": url}, text=True)
    line = child.stdout.readline()
    if not line.startswith("ROWS"):
        child.kill()
        raise AssertionError(f"child did not reach the pause: {line}{child.stderr.read()}")
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    return copy, line, url


def _restart(url: str, body: str) -> str:
    """Run ``body`` again in a fresh process on the killed one's database (``url``), to its end; its output."""
    script = CHILD.format(root=str(ROOT), body=textwrap.dedent(body))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "DATABASE_URL": url})
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _count(copy: Path | None, sql: str):
    if copy is None:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchone()
    with sqlite3.connect(copy) as db:
        return db.execute(sql).fetchone()


def test_generation_killed_after_inserting_payments_leaves_no_cycle_and_a_restart_pays_each_once(regions, tmp_path):
    program, p, _ = jscm_world(n_pulomerak=3, n_ciwaduk=3)
    before = PaymentCycle.objects.count(), Payment.objects.count()
    generate = f"""
        services.open_cycle(program=Program.objects.get(code="JSCM"), year=2025, stage=1,
                            by=users.get(pk={p["operator"].pk}))
    """
    copy, line, url = _kill_mid_way(tmp_path, "generation.insert_shares = lambda cycle: pause()\n"
                                    + textwrap.dedent(generate))
    assert line.split()[1] == "6"  # the child had written its six payments when it died
    assert _count(copy, "SELECT COUNT(*) FROM payments_paymentcycle")[0] == before[0]
    assert _count(copy, "SELECT COUNT(*), COALESCE(SUM(amount_rupiah), 0) FROM payments_payment") == (before[1], 0)
    assert _count(copy, "SELECT COUNT(*) FROM payments_cycleexclusion")[0] == 0

    # Restarted, the same request completes once: every household paid exactly once, nothing left over.
    _restart(url, generate)
    assert _count(copy, "SELECT COUNT(*) FROM payments_paymentcycle")[0] == before[0] + 1
    assert _count(copy, "SELECT COUNT(*), COUNT(DISTINCT enrollment_id), COUNT(DISTINCT household_id) "
                        "FROM payments_payment") == (before[1] + 6,) * 3
    assert _count(copy, "SELECT COUNT(*) FROM payments_payment WHERE amount_rupiah <= 0")[0] == 0


def test_reconciliation_killed_mid_way_changes_nothing_and_a_restart_credits_each_once(regions, tmp_path):
    program, p, _ = jscm_world(n_pulomerak=2, n_ciwaduk=1)
    cycle = approved_cycle(program, p)
    rows = "".join(f"{x.pk};{x.account_number};1000000;BERHASIL;2025-11-20;\\n" for x in cycle.payments.all())
    reconcile = f"""
        import io
        text = "id_penyaluran;no_rekening;nominal;status;tanggal;keterangan\\n" + "{rows}"
        services.import_reconciliation(cycle=PaymentCycle.objects.get(pk={cycle.pk}), file=io.BytesIO(text.encode()),
                                       by=users.get(pk={p["bank"].pk}))
    """
    copy, line, url = _kill_mid_way(tmp_path, "setsql.snapshot_history = pause\n" + textwrap.dedent(reconcile))
    assert line.split()[2] == "3"  # inside the child, the three payments were already marked paid
    assert _count(copy, "SELECT COUNT(*) FROM payments_payment WHERE status = 'pending'")[0] == 3
    assert _count(copy, "SELECT COUNT(*) FROM payments_payment WHERE credited_on IS NOT NULL")[0] == 0
    assert _count(copy, "SELECT COUNT(*) FROM payments_reconciliation")[0] == 0
    assert _count(copy, f"SELECT status FROM payments_paymentcycle WHERE id = {cycle.pk}")[0] == "approved"

    # Restarted with the same file: each payment credited once, one reconciliation on record.
    _restart(url, reconcile)
    assert _count(copy, "SELECT COUNT(*) FROM payments_payment WHERE status = 'paid' "
                        "AND credited_on IS NOT NULL")[0] == 3
    assert _count(copy, "SELECT COUNT(*) FROM payments_reconciliation")[0] == 1


def test_two_cycles_generated_at_once_in_two_processes_never_pay_a_household_twice(regions, tmp_path):
    """Both processes pass the "already paid?" check before either writes a payment: PostgreSQL's unique
    constraint refuses the second set of rows; SQLite makes the second wait and find everyone paid."""
    from django.db.models import Count, Sum

    program, p, enrollments = jscm_world(n_pulomerak=4, n_ciwaduk=2)
    url, copy = _database_url(tmp_path)
    sync = tmp_path / "sync"
    sync.mkdir()
    body = textwrap.dedent(f"""
        import pathlib, sys
        me, sync = sys.argv[1], pathlib.Path({str(sync)!r})
        real = generation.insert_flat_payments

        def insert_after_both_checked(cycle, qs, amount):
            (sync / me).touch()  # exclusions written, payments not yet
            deadline = time.time() + 5
            while len(list(sync.iterdir())) < 2 and time.time() < deadline:
                time.sleep(0.05)  # SQLite: the other process waits for our lock and never gets here
            return real(cycle, qs, amount)

        generation.insert_flat_payments = insert_after_both_checked
        try:
            cycle = services.open_cycle(program=Program.objects.get(code="JSCM"), year=2025, stage=1,
                                        by=users.get(username=me))
            print("made", cycle.payment_count, flush=True)
        except services.PaymentError as error:
            print("refused", error, flush=True)
    """)
    script = CHILD.format(root=str(ROOT), body=body)
    children = [subprocess.Popen([sys.executable, "-c", script, p[name].username], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, env={**os.environ, "DATABASE_URL": url}, text=True)
                for name in ("operator", "operator2")]
    outcomes = []
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        outcomes.append(out.strip())
    made = [o for o in outcomes if o.startswith("made") and o != "made 0"]
    assert len(made) == 1 and made[0] == f"made {len(enrollments)}"
    other = next(o for o in outcomes if o is not made[0])
    assert other == "made 0" or other.startswith("refused Pembayaran ganda ditolak"), other
    if copy is None:  # PostgreSQL ran both at once: the unique constraint did the refusing
        assert other.startswith("refused Pembayaran ganda ditolak"), other
        paid = Payment.objects.filter(program=program, year=2025, stage=1)
        assert paid.count() == len(enrollments)
        assert paid.aggregate(s=Sum("amount_rupiah"))["s"] == len(enrollments) * 1_000_000
        assert not paid.values("household").annotate(n=Count("pk")).filter(n__gt=1).exists()
    else:
        assert _count(copy, "SELECT COUNT(*), SUM(amount_rupiah), COUNT(DISTINCT household_id) FROM "
                            "payments_payment") == (len(enrollments), len(enrollments) * 1_000_000, len(enrollments))
