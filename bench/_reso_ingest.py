"""The RESO half of ``bench/ingest.py`` (issue 18): a full replication from the local RESO server.

``ingest_reso_full_s``: 50,000 records (default: 20,000 active + 30,000 closed) with their media
(``$expand=Media``) and open houses, from the RESO server (``devtools.reso``: OAuth2, metadata
with local lookup names, 200 records a page) through the real client, flattener and upsert into
a fresh database, including the index builds after the bulk load. As with the Spark feed, the
server pre-encodes its pages before the timer starts (``ingest_reso_feed_warmup_s``), so the
feed server's CPU is not counted against a sync that would run against a remote server.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import requests
from pymongo import MongoClient

from mls_sync.auth import ClientCredentials
from mls_sync.http import RateLimiter
from mls_sync.indexes import store_ensure_indexes
from mls_sync.page import Query
from mls_sync.pipeline import sync_run
from mls_sync.reso import ResoWebApiClient

ROOT = Path(__file__).resolve().parent.parent
PAGE_SIZE = 1000  # asked for; the server answers with 200


def _start(port: int, active: int, closed: int, seed: int) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "devtools.reso", "--port", str(port), "--seed", str(seed)]
    args += ["--active", str(active), "--closed", str(closed), "--client", "bench:bench-secret"]
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/_control/state", timeout=1).raise_for_status()
            return proc
        except requests.RequestException:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("fake RESO server did not start")


def _client(base: str, root: str) -> ResoWebApiClient:
    credentials = ClientCredentials(
        token_url=f"{base}/oauth2/token", client_id="bench", client_secret="bench-secret", scope="api"
    )
    return ResoWebApiClient(
        base_url=root, credentials=credentials, user_agent="ChatRealty-bench/1.0", limiter=RateLimiter(1500, 300)
    )


def reso_full(
    *, mongo: MongoClient, port: int, active: int, closed: int, seed: int, cpu_s: Any, db_pid: int | None
) -> dict[str, float]:
    """Run the RESO benchmark; ``cpu_s(pid)`` reads another process's CPU seconds."""
    results: dict[str, float] = {}
    base = f"http://127.0.0.1:{port}"
    root = f"{base}/api/v2/OData/hdmls"
    warm_start = time.perf_counter()
    server = _start(port, active, closed, seed)
    db_name = f"bench_reso_{uuid.uuid4().hex[:8]}"
    db = mongo[db_name]
    try:
        # Pre-encode exactly the pages the client will ask for (its $select/$expand from $metadata).
        probe = _client(base, root)
        params = probe.property_params(Query())
        warm = requests.post(
            f"{base}/_control/warm", json={"query": params, "page_size": PAGE_SIZE}, timeout=1800
        ).json()
        results["ingest_reso_feed_warmup_s"] = round(time.perf_counter() - warm_start, 2)
        results["ingest_reso_feed_pages"] = warm["pages"]
        feed_cpu = cpu_s(server.pid)
        db_cpu = cpu_s(db_pid) if db_pid else 0.0
        client_cpu = resource.getrusage(resource.RUSAGE_SELF)
        results["ingest_reso_loadavg_1m_at_start"] = round(os.getloadavg()[0], 2)
        start = time.perf_counter()
        counters = sync_run(
            db=db, client=_client(base, root), source="hdmls", mode="full", page_size=PAGE_SIZE, defer_indexes=True
        )
        loaded = time.perf_counter()
        store_ensure_indexes(db=db, geo=False)
        results["ingest_reso_full_s"] = round(time.perf_counter() - start, 2)
        print(f"full hdmls (RESO): {counters.summary()}", flush=True)
        after = resource.getrusage(resource.RUSAGE_SELF)
        results["ingest_reso_full_load_s"] = round(loaded - start, 2)
        results["ingest_reso_full_index_build_s"] = round(time.perf_counter() - loaded, 2)
        results["ingest_reso_full_records"] = counters.fetched
        results["ingest_reso_full_quarantined"] = counters.quarantined
        results["ingest_reso_full_pages"] = counters.pages
        results["ingest_reso_full_photos"] = sum(
            len(d.get("photos") or []) for c in ("listings", "closed") for d in db[c].find({}, {"photos.id": 1})
        )
        results["ingest_reso_full_docs_per_s"] = round(counters.fetched / results["ingest_reso_full_s"], 1)
        results["ingest_reso_full_client_cpu_s"] = round(
            (after.ru_utime + after.ru_stime) - (client_cpu.ru_utime + client_cpu.ru_stime), 1
        )
        results["ingest_reso_full_feed_server_cpu_s"] = round(cpu_s(server.pid) - feed_cpu, 1)
        if db_pid:
            results["ingest_reso_full_db_cpu_s"] = round(cpu_s(db_pid) - db_cpu, 1)
        results["ingest_reso_loadavg_1m_at_end"] = round(os.getloadavg()[0], 2)
    finally:
        server.terminate()
        server.wait(timeout=10)
        mongo.drop_database(db_name)
    return results
