"""Investor-tools benchmark (issue 16): deal analyses and market trends through the production
server on the demo feed.

    .venv/bin/python -m bench.invest [--analyses 60] [--cities 20]
    make bench BENCH=invest

Writes bench/results/invest.json:

* ``analysis_p95_ms`` (target <= 100): ``GET /invest/analyze/?listing=<key>`` by a signed-in
  Investor 3 user on the flagship: the listing resolved, its rent estimate from nearby rentals,
  appreciation from the local price index, the analysis with its 7-scenario sensitivity table,
  the page; one request at a time, each for a different listing of the demo feed.
* ``trends_p95_ms`` (target <= 50): ``GET /invest/trends/?kind=city&place=<city>&period=10y``,
  each city asked once per run after a warm-up on other cities (the 120 months computed from
  the read models, the charts and the table rendered).
* ``portfolio_revalue_s`` (target <= 10): revaluing 1,000 portfolio homes after a closed-sales
  sync (``bench/_portfolio.py``, its own process with the same settings and store): 200 new
  closed sales written to the store, then the revaluation task's body timed: the closed-sales
  read model brought up to date, every home valued by the CMA engine (one local market per
  ~3-mile cell), values, daily snapshots and alerts written, alert mails handed over.

Reuses the CMA benchmark's store (``chatrealty_bench_cma``: the demo feed synced once).
``--quick`` instead syncs a small feed (3,000 active, 6,000 closed per source) into
``chatrealty_bench_invest_quick`` to check the benchmark runs; its numbers are not the targets'.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import subprocess  # noqa: E402

import requests  # noqa: E402
from pymongo import MongoClient  # noqa: E402

from bench import cma as cma_bench  # noqa: E402
from bench._common import PYTHON, bench_env, demo_database_ensure, free_port, manage, write_results  # noqa: E402
from bench._portfolio import MARKER  # noqa: E402
from bench.cma import MONGO_DB, feed_ensure, investor_ensure, login, pct  # noqa: E402

QUICK_DB = "chatrealty_bench_invest_quick"
QUICK_FEED = ("--gps-active", "3000", "--gps-closed", "6000", "--crmls-active", "3000", "--crmls-closed", "6000")


def quick_feed_ensure(env: dict[str, str]) -> int:
    db = MongoClient(env["MONGODB_URI"])[QUICK_DB]
    if db["closed"].estimated_document_count() > 1000:
        return int(db["closed"].estimated_document_count())
    port = free_port()
    feed = subprocess.Popen(
        [PYTHON, "-m", "devtools.spark", "--port", str(port), "--seed", "42", *QUICK_FEED],
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


def cities(env: dict[str, str], n: int, seed: int) -> list[str]:
    db = MongoClient(env["MONGODB_URI"])[env["MONGODB_DB"]]
    names = sorted(c for c in db["closed"].distinct("city") if isinstance(c, str) and c)
    return random.Random(seed).sample(names, min(n, len(names)))


def portfolio_revalue(env: dict[str, str], *, homes: int, sales: int, seed: int) -> dict[str, float]:
    args = ["--homes", str(homes), "--sales", str(sales), "--seed", str(seed), "--user", cma_bench.USER]
    out = subprocess.run(
        [PYTHON, "-m", "bench._portfolio", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    line = next(x for x in reversed(out.stdout.splitlines()) if x.startswith(MARKER))
    return dict(json.loads(line[len(MARKER) :]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--analyses", type=int, default=60)
    parser.add_argument("--cities", type=int, default=24)
    parser.add_argument("--warmup", type=int, default=8)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--homes", type=int, default=1000, help="portfolio homes revalued")
    parser.add_argument("--sales", type=int, default=200, help="closed sales the sync brings")
    parser.add_argument("--quick", action="store_true", help="a small feed of its own: checks the run, not the targets")
    args = parser.parse_args()
    results: dict[str, float] = {"machine_loadavg_1m_at_start": round(os.getloadavg()[0], 2)}

    from bench.server import BenchServer

    demo_database_ensure()
    env = bench_env(MONGODB_DB=QUICK_DB if args.quick else MONGO_DB)
    results["invest_demo_closed_sales"] = quick_feed_ensure(env) if args.quick else feed_ensure(env)
    investor_ensure(env)
    cma_bench.MONGO_DB = env["MONGODB_DB"]  # ``subjects`` reads the listings of this run's store
    keys = cma_bench.subjects(env, args.analyses + args.warmup, args.seed)
    places = cities(env, args.cities, args.seed)
    warm_places, run_places = places[: args.warmup // 2], places[args.warmup // 2 :]
    with BenchServer(env=env, startup_timeout=600) as server:
        s = login(server)

        def timed(path: str, params: dict[str, str]) -> float:
            started = time.perf_counter()
            r = s.get(server.url(path), params=params, timeout=300)
            ms = (time.perf_counter() - started) * 1000
            if r.status_code != 200:
                raise RuntimeError(f"{path} {params} answered {r.status_code}: {r.text[:300]}")
            return ms

        for key in keys[: args.warmup]:  # each worker loads the read models, fits its first markets
            timed("/invest/analyze/", {"listing": key})
        analysis = [timed("/invest/analyze/", {"listing": key}) for key in keys[args.warmup :]]
        for city in warm_places:
            timed("/invest/trends/", {"kind": "city", "place": city, "period": "10y"})
        trends = [timed("/invest/trends/", {"kind": "city", "place": city, "period": "10y"}) for city in run_places]
    results.update(
        {
            "analysis_p50_ms": pct(analysis, 0.5),
            "analysis_p95_ms": pct(analysis, 0.95),
            "analysis_requests": len(analysis),
            "trends_p50_ms": pct(trends, 0.5),
            "trends_p95_ms": pct(trends, 0.95),
            "trends_requests": len(trends),
            "machine_loadavg_1m_at_end": round(os.getloadavg()[0], 2),
        }
    )
    results.update(portfolio_revalue(env, homes=args.homes, sales=args.sales, seed=args.seed))
    print(f"  portfolio revaluation {results['portfolio_revalue_s']} s", file=sys.stderr)
    print(f"  analysis p95 {results['analysis_p95_ms']} ms; trends p95 {results['trends_p95_ms']} ms", file=sys.stderr)
    write_results("invest", results)


if __name__ == "__main__":
    main()
