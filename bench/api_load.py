"""Household detail API under load (gunicorn, 2 workers, production settings) vs a bare Django endpoint.

Usage: SCALE=0.1 BENCH_DATABASE=jsika_bench_api python bench/api_load.py   (SCALE=1 → 1,000,000 households)
Needs ``wrk`` (Debian: ``apt-get install -y wrk``). Goal (issue 11): the detail endpoint serves
≥ 50% of the bare endpoint's requests per second, with 0 non-2xx answers.

One gunicorn (``jsika.wsgi`` as in docs/deploy.md: gthread workers with 2 threads, here 2 workers;
``jsika.settings.production`` with DEBUG off plus ``/bench/bare``, see ``bench/_serve_settings.py``)
on 127.0.0.1 serves three: ``GET /api/v1/households/{no_kk}``
with a manager's bearer token (token look-up, scoping, members, access-log row: the real path),
rotating over many households; ``GET /bench/bare``, a fixed JSON through the same
middleware (the goal's yardstick); and ``GET /bench/raw/{no_kk}``, the same household and members
by two hand-written SELECTs (the raw baseline: what token, scoping, access log, ORM and ninja add).
wrk runs the same connections and duration against each in turn.
"""

import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("BENCH_DATABASE", "jsika_bench_api")  # a database of its own unless told otherwise
from bench.common import BENCH_DB, PG, ROOT, peak_rss_mb, setup_django  # noqa: E402
from bench.scale_data import seed_registry, seeded  # noqa: E402

WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "4"))
DURATION = int(os.environ.get("BENCH_DURATION", "20"))
PATHS = 2000  # households the detail requests rotate over
# nginx as in docs/deploy.md speaks HTTP/1.0 to gunicorn: one connection per request. Kept-alive
# connections stick to whichever worker accepted them, so with a handful of them one worker can get
# them all while the other idles (seen: bare 870 rps with one worker at 100 % and the machine 46 %
# idle; 1,814 rps at 8 connections; 828 at 16). BENCH_KEEPALIVE=1 measures kept-alive connections.
KEEPALIVE = os.environ.get("BENCH_KEEPALIVE") == "1"

WRK_SCRIPT = """
wrk.headers["Authorization"] = "Bearer %(token)s"
%(close)s
local paths = {%(paths)s}
local threads = {}
local n = 0
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function request()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end
function response(status, headers, body)
  if status < 200 or status > 299 then bad = bad + 1 end
end
function done(summary, latency, requests)
  local b = 0
  for _, t in ipairs(threads) do b = b + t:get("bad") end
  local e = summary.errors
  io.write(string.format("WRK requests=%%d rps=%%.1f p50_ms=%%.2f p95_ms=%%.2f p99_ms=%%.2f "
    .. "non2xx=%%d socket_errors=%%d\\n",
    summary.requests, summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, b, e.connect + e.read + e.write + e.timeout))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 120) -> None:
    """Until ``url`` answers 200 several times in a row (every worker has booted Django)."""
    import urllib.request

    deadline, ok = time.monotonic() + seconds, 0
    while time.monotonic() < deadline and ok < 2 * WORKERS:
        try:
            with urllib.request.urlopen(url, timeout=10) as answer:
                ok = ok + 1 if answer.status == 200 else 0
        except OSError:
            ok = 0
            time.sleep(0.5)
    if ok < 2 * WORKERS:
        raise RuntimeError(f"gunicorn did not answer {url} within {seconds} s")


def run_wrk(url: str, script: Path, duration: int) -> dict[str, float]:
    out = subprocess.run(["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{duration}s", "--timeout", "10s", "-s", str(script),
                          url], capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("WRK "))
    return {k: float(v) for k, v in re.findall(r"(\w+)=([0-9.]+)", line)}


def main():
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: on Debian/Ubuntu run `apt-get install -y wrk` (as root), then run this again.")
    households = int(float(os.environ.get("SCALE", "0.01")) * 1_000_000)
    reuse = os.environ.get("BENCH_REUSE") == "1"
    setup_django(fresh=not reuse)
    from io import StringIO

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    users = get_user_model().objects
    admin = users.filter(username="bench").first() or users.create_superuser("bench", password="x")
    made, persons, seconds = (seeded(households) if reuse else None) or seed_registry(households, by=admin)
    print(f"{made} households, {persons} persons (seeded in {seconds:.0f} s)", flush=True)
    manager = (users.filter(username="bench.manager").first()
               or users.create_user("bench.manager", password="x", role="manager", scope="36"))
    out = StringIO()
    call_command("create_api_token", manager.username, stdout=out, stderr=StringIO())
    token = out.getvalue().strip()
    with connection.cursor() as cursor:
        cursor.execute("SELECT no_kk FROM registry_household ORDER BY id LIMIT %s",
                       [min(made, PATHS * 50)])
        no_kks = [row[0] for row in cursor.fetchall()]
    no_kks = random.Random(3).sample(no_kks, min(PATHS, len(no_kks)))
    connection.close()

    work = Path(tempfile.mkdtemp(prefix="bench-api-"))
    scripts = {}
    for name, paths in (("detail", [f"/api/v1/households/{k}" for k in no_kks]), ("bare", ["/bench/bare"]),
                        ("raw", [f"/bench/raw/{k}" for k in no_kks])):
        scripts[name] = work / f"{name}.lua"
        scripts[name].write_text(WRK_SCRIPT % {
            "token": token, "paths": ", ".join(f'"{p}"' for p in paths),
            "close": "" if KEEPALIVE else 'wrk.headers["Connection"] = "close"'})

    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench._serve_settings", "DATABASE_URL": f"{PG}/{BENCH_DB}",
           "DJANGO_SECRET_KEY": secrets.token_urlsafe(50), "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
           "DJANGO_SECURE_SSL_REDIRECT": "0", "DB_CONN_MAX_AGE": "60", "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "jsika.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(WORKERS), "--threads", "2", "--timeout", "120", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(work / "gunicorn.log", "w"))
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/bench/bare")
        results = {}
        for name in ("bare", "detail", "raw"):  # warm both workers, then measure
            run_wrk(base, scripts[name], 3)
        for name in ("bare", "detail", "raw"):
            results[name] = run_wrk(base, scripts[name], DURATION)
            r = results[name]
            print(f"{name}: {r['requests']:.0f} requests, {r['rps']:.0f} rps, p50 {r['p50_ms']:.1f} ms, "
                  f"p95 {r['p95_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, non-2xx {r['non2xx']:.0f}, "
                  f"socket errors {r['socket_errors']:.0f}", flush=True)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    log = (work / "gunicorn.log").read_text()
    if log.strip():
        print("gunicorn log (tail):\n" + log[-1500:], flush=True)
    detail, bare, raw = results["detail"], results["bare"], results["raw"]
    errors = int(sum(r["non2xx"] + r["socket_errors"] for r in results.values()))
    print(f"RESULT households={made} workers={WORKERS} connections={CONNECTIONS} duration={DURATION}s "
          f"detail_rps={detail['rps']:.0f} bare_rps={bare['rps']:.0f} ratio={detail['rps'] / bare['rps']:.2f} "
          f"raw_rps={raw['rps']:.0f} ratio_to_raw={detail['rps'] / raw['rps']:.2f} "
          f"keepalive={int(KEEPALIVE)} errors={errors} "
          f"detail_p95={detail['p95_ms']:.1f}ms bare_p95={bare['p95_ms']:.1f}ms "
          f"load={os.getloadavg()[0]:.1f} peak_rss={peak_rss_mb():.0f}MB", flush=True)


if __name__ == "__main__":
    main()
