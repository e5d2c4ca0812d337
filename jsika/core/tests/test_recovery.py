"""Crash safety and backup: a killed import leaves no half-written household; a backup restores equal.

These run the real commands in subprocesses against a database of their own (a temporary SQLite
file, or a new PostgreSQL database when the suite runs on PostgreSQL).
"""

import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings

from jsika.registry.synthetic import generate_rows, write_csv

ROOT = Path(settings.BASE_DIR)
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


def manage(db_url, *args, env=None, check=True, **popen):
    command = [sys.executable, str(ROOT / "manage.py"), *args]
    environment = {**os.environ, "DATABASE_URL": db_url, "DJANGO_SETTINGS_MODULE": "jsika.settings.base",
                   "DJANGO_DEBUG": "1", **(env or {})}
    if popen:
        return subprocess.Popen(command, env=environment, cwd=ROOT, **popen)
    return subprocess.run(command, env=environment, cwd=ROOT, check=check, capture_output=True, text=True)


class Database:
    """A throw-away database with the schema and Banten's regions, reachable by URL and by a raw query."""

    def __init__(self, tmp_path: Path, name: str):
        self.name = f"jsika_{name}_{uuid.uuid4().hex[:8]}"
        if ON_POSTGRES:
            self.url = f"postgres://postgres@127.0.0.1:5432/{self.name}"
            subprocess.run(["psql", PG_ADMIN, "-qc", f"CREATE DATABASE {self.name}"], check=True)
        else:
            self.url = f"sqlite:///{tmp_path / (self.name + '.sqlite3')}"

    def prepare(self):
        manage(self.url, "migrate", "-v0")
        manage(self.url, "load_regions", "--province", "36", "-v0")
        return self

    def query(self, sql):
        if ON_POSTGRES:
            import psycopg

            with psycopg.connect(self.url) as conn:
                return conn.execute(sql).fetchall()
        conn = sqlite3.connect(self.url.removeprefix("sqlite:///"))
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()

    def fingerprint(self):
        return json.loads(manage(self.url, "db_fingerprint").stdout)

    def drop(self):
        if ON_POSTGRES:
            subprocess.run(["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)"], check=False)


@pytest.fixture
def database(tmp_path):
    made = []

    def _make(name):
        db = Database(tmp_path, name)
        made.append(db)
        return db
    yield _make
    for db in made:
        db.drop()


def members_per_household(db) -> dict[str, int]:
    return dict(db.query("SELECT h.no_kk, COUNT(p.id) FROM registry_household h "
                         "LEFT JOIN registry_person p ON p.household_id = h.id GROUP BY h.no_kk"))


def test_import_killed_mid_way_leaves_whole_households_and_a_rerun_completes(database, tmp_path):
    db = database("crash").prepare()
    manage(db.url, "createsuperuser", "--noinput", "--username", "root", "--email", "root@example.org",
           env={"DJANGO_SUPERUSER_PASSWORD": "kata-sandi-uji-2026"})
    source = tmp_path / "keluarga.csv"
    write_csv(generate_rows({"36.72": 1500}, seed=11), source)
    with open(source, encoding="utf-8") as fh:
        expected = Counter(row["no_kk"] for row in csv.DictReader(fh))

    slow = {"JSIKA_IMPORT_BATCH_HOUSEHOLDS": "25"}
    worker = manage(db.url, "import_registry", str(source), "-v0", env=slow,
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and worker.poll() is None:
        saved = db.query("SELECT COUNT(*) FROM registry_household")[0][0]
        if 100 <= saved:
            break
        time.sleep(0.05)
    assert worker.poll() is None, "the import finished before it could be killed: make the file larger"
    worker.send_signal(signal.SIGKILL)
    worker.wait()

    written = members_per_household(db)
    assert 0 < len(written) < len(expected), "the kill must land in the middle of the import"
    assert all(count == expected[kk] for kk, count in written.items()), "a household was half-written"

    rerun = manage(db.url, "import_registry", str(source), "-v0")
    assert "0 baris ditolak" in rerun.stdout
    assert members_per_household(db) == dict(expected)
    assert db.query("SELECT COUNT(*), COUNT(DISTINCT nik) FROM registry_person")[0] == (sum(expected.values()),) * 2


def test_backup_restores_to_the_same_counts_and_sums(database, tmp_path):
    db = database("backup").prepare()
    manage(db.url, "seed_demo", "--families", "60")
    before = db.fingerprint()
    assert before["registry_household"]["rows"] >= 60 and before["registry_person"]["rows"] > 60

    restored = database("restored")
    if ON_POSTGRES:
        dump = tmp_path / "backup.dump"
        subprocess.run(["pg_dump", "-Fc", "-f", str(dump), db.url], check=True)
        subprocess.run(["pg_restore", "--no-owner", "-d", restored.url, str(dump)], check=True)
    else:
        source = sqlite3.connect(db.url.removeprefix("sqlite:///"))
        target = sqlite3.connect(restored.url.removeprefix("sqlite:///"))
        source.backup(target)
        source.close()
        target.close()
    assert restored.fingerprint() == before
