"""Survive faults under load (issue 11): an open-loop mix through production gunicorn while
Redis restarts, the MongoDB-protocol server restarts, a gunicorn worker is killed and the
Celery worker is killed in the middle of an incremental MLS sync.

    make bench BENCH=mixed                                   # 200 req/s for 5 minutes
    .venv/bin/python -m bench.mixed --duration 60 --small    # a quick check (smaller feed)

The run starts its own Redis (append-only, as production's) and SecantusDB on free ports with
their data in a private directory, the fake Spark feed, gunicorn (``bench.server``: production
settings, no nginx), a Celery worker and beat (production's command lines). The store is filled
by a full sync of both fake MLS feeds (74,000 listings by default, ``--small`` 12,000). Before
the load the feed changes ``--change-percent`` of the on-market listings (price drops, edits,
status changes, sales, new listings); the incremental sync of those changes is queued to Celery
in the middle of the run and its worker is SIGKILLed after the first page is written; systemd
would restart the worker at once, and so does this script; the recovery sweep (beat) resumes
the run from its checkpoint. A saved search on the ``mike`` site matches every listing, so every
changed listing must become an alert.

Mix (fresh requests, none repeated on purpose): searches 47 % (``bench.search.search_params``),
listing pages 25 % (flagship and both agent sites), map clusters 10 %, home and community pages
15 %, chat messages 2 % (the ASGI chat service, offline assistant) and CMAs 1 % (``POST /api/cma``
with an Investor 3 key; ``bench/_mixed_extras.py``). Faults at 15 %, 35 %, 50 % and 65 % of the run.

Figures (bench/results/mixed.json): ``mixed_p95_ms``, the worst request kind's p95 outside the
fault windows (each kind's own ``mixed_<kind>_p95_ms`` beside it; chat and CMA, with targets of
their own, are reported beside and checked against those: ``mixed_own_targets_met``); ``mixed_errors_outside_faults``;
``mixed_recovery_s``, the longest time from a fault to answers returning (the last failed or
slow - over 1 s - answer before 2 s of good ones; each fault's own ``mixed_recovery_<fault>_s``);
a fault's window runs from its start to its recovery plus 1 s, and a request is inside it when
its time in flight overlaps it. After the run, once the sync has finished:
``mixed_lost_listings``, changed listings whose store record or read-model answer (the search
API, asked several times so every worker answers) differs from the feed, and
``mixed_lost_events``, changes that never became an alert.
``machine_speed_ms_before_load``/``_after_load`` (``bench._common.machine_speed_ms``): the
shared host's speed at the time, to read the latencies beside.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import (  # noqa: E402
    apply_bench_env,
    bench_env,
    demo_database_ensure,
    machine_speed_ms,
    manage,
    write_results,
)
from bench._faults import CeleryProcs, FakeSpark, OwnServices, lock_holder, log  # noqa: E402
from bench._mixed_checks import alerts_prepare, lost_events, lost_listings, sync_wait  # noqa: E402
from bench._mixed_extras import Extras, api_key_ensure, chat_server, chat_target, cma_subjects, cma_target  # noqa: E402
from bench.loadgen import Target, load_in_subprocess  # noqa: E402
from listings.readmodel.snapshot import root_for  # noqa: E402

HOSTS = ("localhost", "sarah.localhost", "mike.localhost")
SHARES = {"search": 47, "listing": 25, "clusters": 10, "page": 15, "chat": 2, "cma": 1}
# The 50 ms budget is the pages' and the API's; a chat answer (the whole stream, to ``done``) and a
# CMA are held to their own issues' targets, reported beside (mixed_chat_p95_ms, mixed_cma_p95_ms).
OWN_TARGETS_MS = {"chat": 150.0, "cma": 300.0}
SLOW_MS = 1000.0  # an answer slower than this counts as "not answering" when timing recovery
HEALTHY_S = 2.0  # recovery ends with this long a stretch of good answers
GRACE_S = 1.0
TARGET_P95_MS = 50.0
SMALL_SIZES = {"gps": (3_000, 2_000), "crmls": (4_000, 3_000)}


def _clusters_params(rng: random.Random) -> dict[str, str]:
    from devtools.synthetic.listings import CITIES

    _name, lat, lon, _zip = CITIES[min(int(rng.paretovariate(1.2)) - 1, len(CITIES) - 1)]
    zoom = rng.randint(8, 15)
    half_lat = 180 / 2**zoom * 1.2
    clat, clon = lat + rng.gauss(0, half_lat / 2), lon + rng.gauss(0, half_lat / 2)
    p = {"bbox": f"{clon - 1.6 * half_lat:.5f},{clat - half_lat:.5f},{clon + 1.6 * half_lat:.5f},{clat + half_lat:.5f}"}
    p["zoom"] = str(zoom)
    if rng.random() < 0.4:
        p["minPrice"] = str(rng.choice([200_000, 400_000, 600_000, 1_000_000]))
    if rng.random() < 0.3:
        p["minBeds"] = rng.choice("234")
    return p


def mix(
    base: str,
    *,
    count: int,
    slugs: dict[str, list[str]],
    pages: dict[str, list[str]],
    extras: Extras,
    seed: int = 7,
) -> tuple[list[Target], list[str]]:
    """``count`` requests in a random order, kinds by SHARES; returns (targets, kind of each)."""
    from bench.search import search_params

    rng = random.Random(seed)
    kinds = rng.choices(list(SHARES), weights=list(SHARES.values()), k=count)
    targets = []
    for kind in kinds:
        host = rng.choices(HOSTS, weights=(2, 1, 1))[0]
        if kind == "search":
            path = "/api/listings?" + urlencode(search_params(rng))
        elif kind == "clusters":
            path = "/api/map/clusters?" + urlencode(_clusters_params(rng))
        elif kind == "listing":
            path = f"/listings/{rng.choice(slugs[host])}/"
        elif kind == "chat":
            targets.append(chat_target(extras, rng, host))
            continue
        elif kind == "cma":
            targets.append(cma_target(extras, rng, base))
            continue
        else:
            path = rng.choice(pages[host])
        targets.append(Target(base + path, host=host))
    return targets, kinds


def _site_pages(server: Any) -> dict[str, list[str]]:
    """Home, communities index and city pages of each host (cities from its own API)."""
    pages: dict[str, list[str]] = {}
    for host in HOSTS:
        status, body = server.get("/api/cities", host=host, timeout=60)
        if status != 200:
            raise RuntimeError(f"/api/cities on {host}: {status} {body[:300]!r}")
        cities = [c["slug"] for c in json.loads(body)["results"]][:12]
        pages[host] = ["/", "/", "/communities/"] + [f"/communities/{c}/" for c in cities]
    return pages


def _slugs(db: Any, exclude: set[str], per_host: int = 3000) -> dict[str, list[str]]:
    rng = random.Random(3)
    rows = list(db["listings"].find({}, {"_id": 0, "slug": 1, "listingKey": 1, "mlsSource": 1}))
    rows = [r for r in rows if r["listingKey"] not in exclude and r.get("slug")]
    gps = [r["slug"] for r in rows if r.get("mlsSource") == "gps"]
    every = [r["slug"] for r in rows]
    pick = lambda xs: rng.sample(xs, min(per_host, len(xs)))  # noqa: E731
    return {"localhost": pick(every), "sarah.localhost": pick(gps), "mike.localhost": pick(every)}


# ---- figures ------------------------------------------------------------------------------


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    values = sorted(values)
    return values[min(len(values), max(1, math.ceil(q / 100 * len(values)))) - 1]


def _bad(row: list[Any]) -> bool:
    return row[3] != "ok" or row[2] > SLOW_MS


def recovery(rows: list[list[Any]], t_fault: float, horizon: float = 90.0) -> float:
    """Seconds from the fault to the end of the last bad answer before HEALTHY_S of good ones."""
    last_bad_end, good_since = None, None
    for row in rows:
        start = row[1]
        if start + row[2] / 1000 < t_fault:
            continue
        if start > t_fault + horizon:
            break
        if _bad(row):
            last_bad_end, good_since = max(last_bad_end or 0.0, start + row[2] / 1000), None
        else:
            good_since = start if good_since is None else good_since
            if start - good_since >= HEALTHY_S and (last_bad_end is None or start > last_bad_end):
                break
    return round(max(0.0, (last_bad_end or t_fault) - t_fault), 2)


def figures(rows: list[list[Any]], kinds: list[str], faults: dict[str, float]) -> dict[str, float]:
    rows = sorted(rows, key=lambda r: r[1])
    out: dict[str, float] = {}
    windows = []
    for name, t in faults.items():
        rec = recovery(rows, t)
        out[f"mixed_recovery_{name}_s"] = rec
        out[f"mixed_fault_{name}_at_s"] = round(t, 1)
        windows.append((t, t + rec + GRACE_S))

    def inside(row: list[Any]) -> bool:
        start, end = row[1], row[1] + row[2] / 1000
        return any(start <= w_end and end >= w_start for w_start, w_end in windows)

    outside = [r for r in rows if not inside(r)]
    per_kind: dict[str, list[float]] = {k: [] for k in SHARES}
    for r in outside:
        per_kind[kinds[r[0]]].append(r[2])
    for kind, values in per_kind.items():
        out[f"mixed_{kind}_p95_ms"] = round(_percentile(values, 95), 2)
        out[f"mixed_{kind}_requests_outside_faults"] = len(values)
    out["mixed_p95_ms"] = max(out[f"mixed_{k}_p95_ms"] for k in SHARES if k not in OWN_TARGETS_MS)
    out["mixed_own_targets_met"] = int(all(out[f"mixed_{k}_p95_ms"] <= t for k, t in OWN_TARGETS_MS.items()))
    out["mixed_errors_outside_faults"] = sum(1 for r in outside if r[3] != "ok")
    out["mixed_errors_in_faults"] = sum(1 for r in rows if r[3] != "ok") - out["mixed_errors_outside_faults"]
    out["mixed_recovery_s"] = max((out[f"mixed_recovery_{n}_s"] for n in faults), default=0.0)
    out["mixed_requests"] = len(rows)
    out["mixed_requests_outside_faults"] = len(outside)
    return out


# ---- the run --------------------------------------------------------------------------------


class Faults(threading.Thread):
    """Injects the faults at their times (offsets from the load's start) and records when."""

    def __init__(self, *, t0: float, duration: float, services: OwnServices, server: Any, celery: CeleryProcs,
                 spark: FakeSpark, db: Any) -> None:  # fmt: skip
        super().__init__(name="faults", daemon=True)
        self.t0, self.duration = t0, duration
        self.services, self.server, self.celery, self.spark, self.db = services, server, celery, spark, db
        self.at: dict[str, float] = {}
        self.error: BaseException | None = None

    def _until(self, fraction: float) -> None:
        time.sleep(max(0.0, self.t0 + fraction * self.duration - time.time()))

    def _mark(self, name: str) -> None:
        self.at[name] = time.time()
        log(f"fault: {name}")

    def run(self) -> None:
        try:
            self._until(0.15)
            self._mark("redis_restart")
            self.services.restart_redis()
            self._until(0.35)
            self._mark("mongo_restart")
            self.services.restart_mongo()
            self._until(0.50)
            self._mark("gunicorn_worker_kill")  # the listings model's leader: the worst case
            pids = self.server.worker_pids()
            base, db_name = os.environ["LISTINGS_READMODEL_SNAPSHOT_DIR"], os.environ["MONGODB_DB"]
            lock = root_for(base, db_name=db_name, collection="listings") / "leader.lock"
            leader = lock_holder(lock, pids)
            log(f"killing gunicorn worker {leader or pids[0]} (listings leader: {leader}, workers {pids})")
            os.kill(leader or pids[0], 9)
            self._until(0.62)
            self._sync_kill()
        except BaseException as exc:  # reported by the main thread
            self.error = exc

    def _sync_kill(self) -> None:
        """Queue both sources' incremental syncs, slow the feed's pages a little so they take
        a few seconds, and SIGKILL the worker once a run has checkpointed its first page."""
        from celery import Celery

        self.spark.control("faults", kind="slow", count=4)
        app = Celery(broker=self.services.redis_url)
        for source in ("crmls", "gps"):
            app.send_task("mls_sync.sync", kwargs={"source": source, "mode": "incremental"})
        app.close()
        deadline = time.time() + 60
        while time.time() < deadline:
            running = self.db["sync_state"].find_one({"status": "running", "pages": {"$gte": 1}})
            if running:
                log(f"sync {running['_id']} at page {running.get('pages')}")
                break
            time.sleep(0.05)
        else:
            log("no sync checkpointed a page within 60 s; killing the worker anyway")
        self._mark("celery_worker_kill")
        self.celery.kill_worker()
        self.celery.start_worker()  # as systemd's Restart=always would


def _warm(targets: list[Target], rate: float) -> None:
    started = time.monotonic()
    while time.monotonic() - started < 120:
        w = load_in_subprocess(targets, rate=rate, duration=10, timeout=10.0)
        log(f"warm-up round: p95 {w['p95_ms']} ms, errors {w['errors']} {w['status_counts']}")
        if w["errors"] == 0 and w["p95_ms"] <= 2 * TARGET_P95_MS:
            return


def run(args: argparse.Namespace, workdir: Path) -> dict[str, float]:
    from pymongo import MongoClient

    from bench.server import BenchServer, production_threads
    from devtools.spark.feed import DEFAULT_SIZES

    services = OwnServices(workdir)
    services.start_redis()
    services.start_mongo()
    spark = FakeSpark(sizes=SMALL_SIZES if args.small else DEFAULT_SIZES, workdir=workdir)
    celery = server = chat = None
    try:
        os.environ.update(
            {
                "REDIS_URL": services.redis_url,
                "CELERY_BROKER_URL": services.redis_url,
                "MONGODB_URI": services.mongo_uri,
                "MONGODB_DB": "chatrealty_mixed",
                "BENCH_MONGODB_DB": "chatrealty_mixed",
                "BENCH_CACHE_KEY_PREFIX": "mixed",
                "SPARK_BASE_URL": spark.url,
                "MLS_GPS_TOKEN": "gps",
                "MLS_CRMLS_TOKEN": "crmls",
                "MLS_GPS_SCHEDULE": "off",
                "MLS_CRMLS_SCHEDULE": "off",
                "MLS_GEO_INDEX": "false",
                "LISTINGS_READMODEL_SNAPSHOT_DIR": str(workdir / "readmodel"),
            }
        )
        demo_database_ensure()
        apply_bench_env()  # this process reads the benchmark's databases too (bench._mixed_checks)
        spark.wait_warm()
        started = time.monotonic()
        manage("mls_sync", "--source", "all", "--mode", "full", quiet=True, timeout=1800)
        log(f"store filled by a full sync in {time.monotonic() - started:.0f} s")
        import redis

        redis.Redis.from_url(services.redis_url).flushdb()  # the full load's alerts: not this benchmark's
        saved = alerts_prepare()
        db = MongoClient(services.mongo_uri, tz_aware=True)["chatrealty_mixed"]
        changes = spark.control("advance", percent=args.change_percent, hours=12)
        changed = {k for summary in changes.values() for ev, keys in summary.items() if ev != "clock" for k in keys}
        # Listings deleted at the feed: an incremental sync cannot see a deletion (Spark's feed
        # just stops listing them); the purge of the next full reconciliation removes them, so
        # they stay live and are not changes anyone should be alerted to.
        deleted = {k for summary in changes.values() for k in summary.get("deleted", [])}
        log(f"the feed changed {len(changed)} listings (synced in the middle of the run; {len(deleted)} deleted)")

        env = bench_env()
        celery = CeleryProcs(env=env, workdir=workdir)
        celery.start_worker()
        celery.start_reports()
        celery.start_beat()
        # Production's threads (the mix waits on the stores; the search benchmarks use 2).
        threads = int(os.environ.get("BENCH_THREADS") or production_threads())
        server = BenchServer(env=env, threads=threads, startup_timeout=300)  # a loaded machine starts slowly
        server.start()
        chat = chat_server().start()
        base = server.url("")
        pages = _site_pages(server)
        slugs = _slugs(db, changed)
        extras = Extras(chat_base=chat.url(""), api_key=api_key_ensure(), subjects=cma_subjects(db, changed))
        count = int(args.rate * args.duration)
        warm_targets, _ = mix(base, count=int(args.rate * 10), slugs=slugs, pages=pages, extras=extras, seed=1)
        _warm(warm_targets, args.rate)
        targets, kinds = mix(base, count=count, slugs=slugs, pages=pages, extras=extras)

        records = workdir / "records.json"
        result: dict[str, Any] = {}

        def load() -> None:
            result.update(
                load_in_subprocess(targets, rate=args.rate, duration=args.duration, timeout=10.0, records=records)
            )

        speed_before = machine_speed_ms()  # the warm-up is done: the machine as the load meets it
        loader = threading.Thread(target=load, name="load")
        t0_guess = time.time() + 0.3  # the generator's own start is read from its stats afterwards
        loader.start()
        faults = Faults(t0=t0_guess, duration=args.duration, services=services, server=server, celery=celery,
                        spark=spark, db=db)  # fmt: skip
        faults.start()
        loader.join()
        faults.join(timeout=120)
        if faults.error is not None:
            raise faults.error
        if "t0_wall" not in result:
            raise RuntimeError("the load generator failed")
        out = figures(json.loads(records.read_text()), kinds, {n: t - result["t0_wall"] for n, t in faults.at.items()})
        out["machine_speed_ms_before_load"] = speed_before
        out["machine_speed_ms_after_load"] = machine_speed_ms()
        out["mixed_offered_rps"] = args.rate
        out["mixed_duration_s"] = args.duration
        out["mixed_achieved_rps"] = result["achieved_rps"]
        out["mixed_send_lag_p99_ms"] = result["send_lag_p99_ms"]
        out["mixed_changed_listings"] = len(changed)
        out["mixed_sync_finished_s"] = sync_wait(db=db, timeout=args.sync_timeout, started=result["t0_wall"])
        out["mixed_lost_listings"] = lost_listings(db=db, server=server, spark=spark, keys=changed)
        out["mixed_lost_events"] = lost_events(saved=saved, keys=changed - deleted, redis_url=services.redis_url, db=db)
        return out
    finally:
        for proc in (chat, server, celery, spark, services):
            if proc is not None:
                proc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--duration", type=float, default=float(os.environ.get("BENCH_MIXED_DURATION", 300)))
    parser.add_argument("--change-percent", type=float, default=5.0, help="of on-market listings, before the sync")
    parser.add_argument("--small", action="store_true", help="a 12,000-listing feed instead of 74,000 (quick check)")
    parser.add_argument("--sync-timeout", type=float, default=300.0, help="how long to wait for the resumed sync")
    parser.add_argument("--keep", action="store_true", help="keep the run's directory (logs, data)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="chatrealty-mixed-"))
    log(f"run directory {workdir}")
    try:
        results = run(args, workdir)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(results, indent=2), file=sys.stderr)
    write_results("mixed", results)


if __name__ == "__main__":
    main()
