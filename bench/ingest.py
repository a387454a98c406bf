"""Benchmark: MLS ingest (issue 3) - full replication of both sources, then a 1 % incremental;
and (issue 18) a full replication of 50,000 RESO records from the local RESO server.

    .venv/bin/python bench/ingest.py [--gps-active N ...] [--no-geo] [--cold-feed] [--only spark|reso]
                                     [--reso-active N --reso-closed N] [--out bench/results/ingest.json]

Starts the fake Spark server as a subprocess (default production sizes: 73,999 records) and
lets it pre-encode its full-replication pages before the timer starts (``--warm``; the real
Spark API's CPU is not on this machine, the fake server's would be: ``ingest_feed_warmup_s``
reports that step, ``--cold-feed`` skips it and times a server encoding on request), syncs
into a fresh database on ``MONGODB_URI`` (dropped afterwards) and writes flat JSON
``{metric: number}``. ``ingest_full_s`` covers fetch + flatten + upsert of every record for
both sources and the index builds that follow the bulk load (the 2dsphere build is reported
apart as ``ingest_geo_index_s``); ``ingest_incremental_s`` both
sources' incremental runs after 1 % of listings changed (sources run concurrently, as their
per-source Celery tasks do); ``ingest_peak_rss_mb`` this process. ``*_load_*`` and
``*_index_build_*`` split the full run into its phases, with the CPU seconds of this process
(client), the feed server and - when it runs on this machine - the database server.
``ingest_reso_*``: see ``bench/_reso_ingest.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from pymongo import MongoClient  # noqa: E402

from bench._common import process_cpu_s  # noqa: E402
from bench._reso_ingest import reso_full  # noqa: E402
from config.checkout import apply_defaults  # noqa: E402
from devtools.spark.feed import DEFAULT_SIZES  # noqa: E402
from mls_sync.clients import RateLimiter, SparkClient  # noqa: E402
from mls_sync.indexes import store_ensure_indexes  # noqa: E402
from mls_sync.pipeline import sync_run  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_server(port: int, sizes: dict[str, tuple[int, int]], seed: int, *, warm: bool) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "devtools.spark", "--port", str(port), "--seed", str(seed)]
    args += ["--warm"] if warm else []
    for src, (active, closed) in sizes.items():
        args += [f"--{src}-active", str(active), f"--{src}-closed", str(closed)]
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/_control/state", timeout=1).raise_for_status()
            return proc
        except requests.RequestException:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("fake Spark server did not start")


def _wait_warm(base: str, timeout: float = 600) -> None:
    """Until the feed server has pre-encoded its full-replication pages (``--warm``)."""
    deadline = time.monotonic() + timeout
    while requests.get(f"{base}/_control/state", timeout=10).json().get("warm") != "ready":
        if time.monotonic() > deadline:
            raise RuntimeError("fake Spark server did not finish warming up")
        time.sleep(0.2)


def _db_pid(mongo: MongoClient) -> int | None:
    """The store server's pid when it runs on this machine (SecantusDB reports it in serverStatus)."""
    try:
        pid = int(mongo.admin.command("serverStatus").get("pid") or 0)
    except Exception:  # a server that does not say is simply not measured
        return None
    return pid if pid and Path(f"/proc/{pid}/stat").exists() else None


def _rss_mb(pid: int) -> float:
    """Peak resident set (VmHWM) of another process, MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    for src, (active, closed) in DEFAULT_SIZES.items():
        parser.add_argument(f"--{src}-active", type=int, default=active)
        parser.add_argument(f"--{src}-closed", type=int, default=closed)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--no-geo", action="store_true", help="skip the 2dsphere index build")
    parser.add_argument(
        "--cold-feed",
        action="store_true",
        help="the feed server generates and encodes pages while they are requested instead of before the timer",
    )
    parser.add_argument("--reso-active", type=int, default=20_000)
    parser.add_argument("--reso-closed", type=int, default=30_000)
    parser.add_argument("--only", choices=("spark", "reso"), help="run one half of the benchmark")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "ingest.json"))
    args = parser.parse_args()
    apply_defaults()  # this checkout's SecantusDB unless MONGODB_URI says otherwise
    results: dict[str, float] = {}
    if args.only != "reso":
        results |= spark_ingest(args)
    if args.only != "spark":
        mongo: MongoClient = MongoClient(os.environ["MONGODB_URI"], tz_aware=True)
        try:
            local = mongo.address and mongo.address[0] in ("127.0.0.1", "localhost")
            results |= reso_full(
                mongo=mongo,
                port=_free_port(),
                active=args.reso_active,
                closed=args.reso_closed,
                seed=args.seed,
                cpu_s=process_cpu_s,
                db_pid=_db_pid(mongo) if local else None,
            )
        finally:
            mongo.close()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results))


def spark_ingest(args: argparse.Namespace) -> dict[str, float]:
    sizes = {src: (getattr(args, f"{src}_active"), getattr(args, f"{src}_closed")) for src in DEFAULT_SIZES}
    uri = os.environ["MONGODB_URI"]
    port = _free_port()
    warm_start = time.perf_counter()
    server = _start_server(port, sizes, args.seed, warm=not args.cold_feed)
    mongo: MongoClient = MongoClient(uri, tz_aware=True)
    results: dict[str, float] = {}
    db_name = f"bench_ingest_{uuid.uuid4().hex[:8]}"
    db = mongo[db_name]
    base = f"http://127.0.0.1:{port}"
    try:
        if not args.cold_feed:
            _wait_warm(base)
            results["ingest_feed_warmup_s"] = round(time.perf_counter() - warm_start, 2)
        feed_cpu_start = process_cpu_s(server.pid)

        def client(src: str) -> SparkClient:
            return SparkClient(
                base_url=base, api_key=src, user_agent="ChatRealty-bench/1.0", limiter=RateLimiter(1500, 300)
            )

        db_pid = _db_pid(mongo) if mongo.address and mongo.address[0] in ("127.0.0.1", "localhost") else None
        db_cpu_start = process_cpu_s(db_pid) if db_pid else 0.0
        results["machine_loadavg_1m_at_start"] = round(os.getloadavg()[0], 2)
        # Both sources at once, as their per-source Celery tasks run in production.
        start = time.perf_counter()
        cpu_start = time.process_time()
        with ThreadPoolExecutor(max_workers=len(sizes)) as pool:
            runs = list(
                pool.map(
                    lambda src: sync_run(db=db, client=client(src), source=src, mode="full", defer_indexes=True), sizes
                )
            )
        for counters in runs:
            print(f"full {counters.source}: {counters.summary()}", flush=True)
        fetched = sum(c.fetched for c in runs)
        loaded = time.perf_counter()
        results["ingest_full_load_s"] = round(loaded - start, 2)
        results["ingest_full_load_client_cpu_s"] = round(time.process_time() - cpu_start, 1)
        results["ingest_full_load_feed_server_cpu_s"] = round(process_cpu_s(server.pid) - feed_cpu_start, 1)
        if db_pid:
            db_cpu_loaded = process_cpu_s(db_pid)
            results["ingest_full_load_db_cpu_s"] = round(db_cpu_loaded - db_cpu_start, 1)
        store_ensure_indexes(db=db, geo=False)
        results["ingest_full_s"] = round(time.perf_counter() - start, 2)
        if db_pid:
            results["ingest_full_db_cpu_s"] = round(process_cpu_s(db_pid) - db_cpu_start, 1)
            results["ingest_full_index_build_db_cpu_s"] = round(process_cpu_s(db_pid) - db_cpu_loaded, 1)
        # Where the CPU went (the box has 2 cores; the database server's share is the rest).
        usage = resource.getrusage(resource.RUSAGE_SELF)
        results["ingest_full_client_cpu_s"] = round(usage.ru_utime + usage.ru_stime, 1)
        results["ingest_full_feed_server_cpu_s"] = round(process_cpu_s(server.pid) - feed_cpu_start, 1)
        results["ingest_full_index_build_s"] = round(time.perf_counter() - loaded, 2)
        results["ingest_full_docs"] = fetched
        results["ingest_full_docs_per_s"] = round(fetched / results["ingest_full_s"], 1)
        if not args.no_geo:
            # The 2dsphere index serves ad-hoc geo queries in production (Atlas); search runs on the
            # read model, so it is timed on its own rather than hidden in the load time.
            geo_start = time.perf_counter()
            store_ensure_indexes(db=db, geo=True)
            results["ingest_geo_index_s"] = round(time.perf_counter() - geo_start, 2)

        requests.post(f"{base}/_control/advance", json={"percent": 1.0, "hours": 12}, timeout=60).raise_for_status()
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=len(sizes)) as pool:
            runs = list(
                pool.map(
                    lambda src: sync_run(
                        db=db, client=client(src), source=src, mode="incremental", geo_index=not args.no_geo
                    ),
                    sizes,
                )
            )
        for counters in runs:
            print(f"incremental {counters.source}: {counters.summary()}", flush=True)
        changed = sum(c.fetched for c in runs)
        results["ingest_incremental_s"] = round(time.perf_counter() - start, 2)
        results["ingest_incremental_docs"] = changed
        results["ingest_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
        results["ingest_server_peak_rss_mb"] = round(_rss_mb(server.pid), 1)
        results["machine_loadavg_1m_at_end"] = round(os.getloadavg()[0], 2)
    finally:
        server.terminate()
        server.wait(timeout=10)
        mongo.drop_database(db_name)
        mongo.close()
    return results


if __name__ == "__main__":
    main()
