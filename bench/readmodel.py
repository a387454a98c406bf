"""Read model: load time from the store (74,000 listings) and memory for 500,000 listings.

Writes bench/results/readmodel.json: ``readmodel_load_s`` (streaming the ``listings``
collection with the projection into columns, target <= 10) and ``readmodel_rss_mb_500k``
(RSS growth of a fresh process building the model of 500,000 generated listings, target
<= 300). Documents come from ``listings.readmodel.synthetic`` into a scratch database
(``BENCH_READMODEL_DB``, default ``chatrealty_bench_readmodel``) on ``MONGODB_URI``.
"""

from __future__ import annotations

import gc
import json
import os
import random
import statistics
import subprocess
import sys
import time
from itertools import islice

import numpy as np
from pymongo import MongoClient

from bench._common import ROOT, write_results
from listings.readmodel import BBox, Near, ReadModel, SearchQuery, Sort
from listings.readmodel.columns import PROJECTION
from listings.readmodel.loader import load
from listings.readmodel.synthetic import CITIES, documents

FEED_SIZE = 74_000


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def rss_child(n: int) -> None:
    """Runs in a fresh interpreter: prints the RSS growth of building the model of n docs."""
    gc.collect()
    before = _rss_mb()
    from listings.readmodel.loader import release_free_memory

    model = ReadModel.from_documents(documents(n, seed=1))
    gc.collect()
    release_free_memory()  # what load() does after a build
    after = _rss_mb()
    model.search(SearchQuery(text="pool", min_beds=3))
    print(json.dumps({"rss_mb": after - before, "columns_mb": model.nbytes / 2**20}))


def search_latencies(model: ReadModel, *, count: int = 400) -> list[float]:
    """In-process latency of a mix of typical searches (filters, text, geo, sorts, pages)."""
    rng = random.Random(3)
    cities = [c[0] for c in CITIES]
    out = []
    for _ in range(count):
        lat, lon = CITIES[rng.randrange(len(CITIES))][1:3]
        kind = rng.randrange(5)
        q = SearchQuery(
            cities=(rng.choice(cities),) if kind in (0, 1) else (),
            min_price=rng.choice([None, 300_000, 500_000]),
            max_price=rng.choice([None, 900_000, 1_500_000]),
            min_beds=rng.choice([None, 2, 3]),
            pool=rng.choice([None, True]),
            text=rng.choice(["pool", "mid century", "casita views"]) if kind == 1 else "",
            bbox=BBox(west=lon - 0.1, south=lat - 0.08, east=lon + 0.1, north=lat + 0.08) if kind == 2 else None,
            near=Near(lat=lat, lon=lon, radius_mi=3) if kind == 3 else None,
            sort=rng.choice([Sort.NEWEST, Sort.PRICE_ASC, Sort.PRICE_DESC, Sort.PPSF_ASC]),
            page=rng.choice([1, 1, 2, 5]),
            page_size=24,
        )
        started = time.perf_counter()
        model.search(q)
        out.append((time.perf_counter() - started) * 1000)
    return out


def seed_store(*, uri: str, db_name: str) -> None:
    coll = MongoClient(uri)[db_name]["listings"]
    if coll.estimated_document_count() == FEED_SIZE:
        return
    coll.drop()
    docs = documents(FEED_SIZE, seed=2)
    while batch := list(islice(docs, 2000)):
        coll.insert_many(batch, ordered=False)
    coll.create_index("listingKey", unique=True)


def main() -> dict[str, float]:
    uri = os.environ.get("BENCH_MONGODB_URI") or os.environ.get("MONGODB_URI", "mongodb://127.0.0.1:27018")
    db_name = os.environ.get("BENCH_READMODEL_DB", "chatrealty_bench_readmodel")
    started = time.perf_counter()
    seed_store(uri=uri, db_name=db_name)
    print(f"store ready in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    db = MongoClient(uri)[db_name]
    loads, cpu = [], []
    for _ in range(3):
        started, cpu_started = time.perf_counter(), time.process_time()
        model = load(db=db)
        loads.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    assert model.size == FEED_SIZE, model.size
    search_ms = search_latencies(model)
    changed = list(db["listings"].find({}, PROJECTION).limit(200))
    started = time.perf_counter()
    model.apply_changes(changed=changed, removed=[])
    refresh_s = time.perf_counter() - started
    out = subprocess.run(
        [sys.executable, "-c", "from bench.readmodel import rss_child; rss_child(500_000)"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    rss = json.loads(out.stdout)
    results = {
        "readmodel_docs": FEED_SIZE,
        "readmodel_load_s": round(statistics.median(loads), 3),
        "readmodel_load_min_s": round(min(loads), 3),
        # CPU of this process only; the store's own CPU runs in parallel on the other core.
        "readmodel_load_cpu_s": round(statistics.median(cpu), 3),
        "readmodel_refresh_200_s": round(refresh_s, 3),
        "readmodel_search_p50_ms": round(float(np.percentile(search_ms, 50)), 3),
        "readmodel_search_p95_ms": round(float(np.percentile(search_ms, 95)), 3),
        "readmodel_rss_mb_500k": round(rss["rss_mb"], 1),
        "readmodel_columns_mb_500k": round(rss["columns_mb"], 1),
    }
    write_results("readmodel", results)
    print(json.dumps(results, indent=2), file=sys.stderr)
    return results


if __name__ == "__main__":
    main()
