"""CMA benchmark (issue 13): the Ames backtest, and CMAs and their PDFs through the production
server on the demo feed.

    .venv/bin/python -m bench.cma [--cmas 60] [--pdfs 20] [--seed 42]
    make bench BENCH=cma

Writes bench/results/cma.json:

* ``cma_backtest_mdape_ames`` (target <= 0.08) and ``cma_backtest_coverage_ames`` (>= 0.95):
  ``manage.py cma_backtest --csv bench/data/ames_closed_sales.csv --holdout 0.1 --seed 42``,
  exactly as a user runs it, plus the other fields of its JSON line (``*_within_10``,
  ``*_in_range`` ...) and, to show the spread of a 293-sale holdout, the MdAPE of seeds 1-3.
* ``cma_p95_ms`` (<= 300): ``POST /cma/`` by a signed-in Investor 3 user on the flagship
  (count, subject, market model, comps, report, narrative from the template, save), answered
  by gunicorn with production settings (``bench.server.BenchServer``), no LLM; one request at
  a time (latency, not throughput), each for a different listing of the demo feed.
* ``cma_pdf_p95_ms`` (<= 1,500): ``GET /cma/<id>/pdf/`` of reports whose PDF was never
  rendered (no Celery worker runs, so each request renders with WeasyPrint and stores it).

The demo feed is the fake Spark feed of ``make demo`` (seed 42: 31,998 active listings and
41,999 closed sales across two MLS sources), synced once into its own benchmark database
(``chatrealty_bench_cma``) by ``manage.py mls_sync`` and kept for later runs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from pymongo import MongoClient  # noqa: E402

from bench._common import PYTHON, bench_env, demo_database_ensure, free_port, manage, write_results  # noqa: E402

AMES = ROOT / "bench" / "data" / "ames_closed_sales.csv"
MONGO_DB = "chatrealty_bench_cma"
USER, PASSWORD = "bench-investor3@example.com", "bench-cma-pass-2026"


def backtest(seed: int) -> dict[str, Any]:
    out = subprocess.run(
        [PYTHON, "manage.py", "cma_backtest", "--csv", str(AMES), "--holdout", "0.1", "--seed", str(seed)],
        cwd=ROOT,
        env=bench_env(MONGODB_DB=MONGO_DB),
        check=True,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def feed_ensure(env: dict[str, str]) -> int:
    """The demo feed in the benchmark's store (synced once; later runs reuse it)."""
    db = MongoClient(env["MONGODB_URI"])[MONGO_DB]
    if db["closed"].estimated_document_count() > 1000:
        return int(db["closed"].estimated_document_count())
    port = free_port()
    feed = subprocess.Popen(
        [PYTHON, "-m", "devtools.spark", "--port", str(port), "--seed", "42"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            try:
                requests.get(f"http://127.0.0.1:{port}/_control/state", timeout=1).raise_for_status()
                break
            except requests.RequestException:
                time.sleep(0.1)
        sync_env = {
            **env,
            "SPARK_BASE_URL": f"http://127.0.0.1:{port}",
            "SPARK_GPS_API_KEY": "gps",
            "SPARK_CRMLS_API_KEY": "crmls",
        }
        manage("mls_ensure_indexes", env=sync_env, quiet=True)
        manage("mls_sync", "--source", "all", "--mode", "full", env=sync_env, quiet=True, timeout=3600)
    finally:
        feed.terminate()
        feed.wait()
    return int(db["closed"].estimated_document_count())


def investor_ensure(env: dict[str, str]) -> None:
    code = f"""
from accounts.models import User
from bench._common import subscription_ensure
u = User.objects.filter(email={USER!r}).first() or User.objects.create_user(email={USER!r}, password={PASSWORD!r})
u.set_password({PASSWORD!r}); u.save()
from allauth.account.models import EmailAddress
EmailAddress.objects.update_or_create(user=u, email={USER!r}, defaults={{"verified": True, "primary": True}})
subscription_ensure(user=u, plan_key="investor_3", ref="bench_cma")
"""
    subprocess.run([PYTHON, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, check=True, timeout=300)


def subjects(env: dict[str, str], n: int, seed: int) -> list[str]:
    db = MongoClient(env["MONGODB_URI"])[MONGO_DB]
    keys = [
        d["listingKey"]
        for d in db["listings"].find(
            {"propertyType": "Residential", "standardStatus": "Active", "livingArea": {"$gt": 0}},
            {"_id": 0, "listingKey": 1},
        )
    ]
    keys.sort()
    return random.Random(seed).sample(keys, min(n, len(keys)))


def _csrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=300)  # a worker's first request loads the read models
    page.raise_for_status()
    for cookie in session.cookies:  # see ``login``: Secure cookies over the loopback's HTTP
        cookie.secure = False
    m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if not m:
        raise RuntimeError(f"no CSRF token on {url}: {page.status_code} {page.text[:300]}")
    return m.group(1)


def login(server: Any) -> requests.Session:
    s = requests.Session()
    s.headers["Host"] = "localhost"  # the flagship (127.0.0.1 is no site's domain)
    # As behind nginx: TLS ends at the proxy, which says so. Production marks the session and
    # CSRF cookies Secure; the client keeps sending them over the loopback's plain HTTP.
    s.headers["X-Forwarded-Proto"] = "https"

    token = _csrf(s, server.url("/accounts/login/"))
    r = s.post(
        server.url("/accounts/login/"),
        data={"csrfmiddlewaretoken": token, "login": USER, "password": PASSWORD},
        headers={"Referer": "https://localhost/accounts/login/"},
        timeout=60,
        allow_redirects=False,
    )
    if r.status_code != 302:
        raise RuntimeError(f"login answered {r.status_code}: {r.text[:300]}")
    for cookie in s.cookies:
        cookie.secure = False
    return s


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return round(values[min(len(values) - 1, int(round(q * (len(values) - 1))))], 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cmas", type=int, default=60)
    parser.add_argument("--pdfs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=8)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--skip-backtest", action="store_true")
    args = parser.parse_args()
    results: dict[str, float] = {"machine_loadavg_1m_at_start": round(os.getloadavg()[0], 2)}

    if not args.skip_backtest:
        bt = backtest(42)
        print(f"  backtest Ames seed 42: {bt}", file=sys.stderr)
        results["cma_backtest_mdape_ames"] = bt["mdape"]
        results["cma_backtest_coverage_ames"] = bt["coverage"]
        for k in ("n", "within_5", "within_10", "within_20", "median_signed_error", "in_range", "seconds"):
            results[f"cma_backtest_{k}_ames"] = bt[k]
        for seed in (1, 2, 3):
            other = backtest(seed)
            print(f"  backtest Ames seed {seed}: {other}", file=sys.stderr)
            results[f"cma_backtest_mdape_ames_seed{seed}"] = other["mdape"]
            results[f"cma_backtest_coverage_ames_seed{seed}"] = other["coverage"]

    from bench.server import BenchServer

    demo_database_ensure()
    env = bench_env(MONGODB_DB=MONGO_DB)
    results["cma_demo_closed_sales"] = feed_ensure(env)
    investor_ensure(env)
    keys = subjects(env, args.cmas + args.warmup, args.seed)
    warm, run = keys[: args.warmup], keys[args.warmup :]
    with BenchServer(env=env, startup_timeout=600) as server:  # 4 workers load 74,000 listings
        s = login(server)

        def one(key: str) -> tuple[float, str]:
            token = _csrf(s, server.url(f"/cma/?listing={key}"))
            started = time.perf_counter()
            r = s.post(
                server.url("/cma/"),
                data={"csrfmiddlewaretoken": token, "listing": key},
                headers={"Referer": "https://localhost/cma/"},
                timeout=300,
                allow_redirects=False,
            )
            ms = (time.perf_counter() - started) * 1000
            if r.status_code != 302:
                raise RuntimeError(f"CMA for {key} answered {r.status_code}: {r.text[:500]}")
            return ms, r.headers["Location"]

        for key in warm:  # each worker loads or maps the read models and fills its memos
            one(key)
        timings, reports = [], []
        for key in run:
            ms, location = one(key)
            timings.append(ms)
            reports.append(location)
        pdf_ms = []
        for location in reports[: args.pdfs]:
            started = time.perf_counter()
            r = s.get(server.url(location.rstrip("/") + "/pdf/"), timeout=120)
            pdf_ms.append((time.perf_counter() - started) * 1000)
            if r.status_code != 200 or not r.content.startswith(b"%PDF"):
                raise RuntimeError(f"PDF {location} answered {r.status_code}")
        results["cma_pdf_bytes_median"] = int(
            statistics.median(len(s.get(server.url(loc.rstrip("/") + "/pdf/")).content) for loc in reports[:3])
        )
    results.update(
        {
            "cma_p50_ms": pct(timings, 0.5),
            "cma_p95_ms": pct(timings, 0.95),
            "cma_max_ms": round(max(timings), 1),
            "cma_requests": len(timings),
            "cma_pdf_p50_ms": pct(pdf_ms, 0.5),
            "cma_pdf_p95_ms": pct(pdf_ms, 0.95),
            "cma_pdf_max_ms": round(max(pdf_ms), 1),
            "cma_pdf_requests": len(pdf_ms),
            "machine_loadavg_1m_at_end": round(os.getloadavg()[0], 2),
        }
    )
    print(
        f"  CMA p50 {results['cma_p50_ms']} p95 {results['cma_p95_ms']} ms; PDF p50 {results['cma_pdf_p50_ms']} p95 {results['cma_pdf_p95_ms']} ms",
        file=sys.stderr,
    )
    write_results("cma", results)


if __name__ == "__main__":
    main()
