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
import statistics
import subprocess
import sys
import time
from itertools import islice

from pymongo import MongoClient

from bench._common import ROOT, write_results
from listings.readmodel import SearchQuery
from listings.readmodel.loader import load
from listings.readmodel.synthetic import documents

FEED_SIZE = 74_000


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def rss_child(n: int) -> None:
    """Runs in a fresh interpreter: prints the RSS growth of building the model of n docs."""
    from listings.readmodel import ReadModel

    gc.collect()
    before = _rss_mb()
    from listings.readmodel.loader import release_free_memory

    model = ReadModel.from_documents(documents(n, seed=1))
    gc.collect()
    release_free_memory()  # what load() does after a build
    after = _rss_mb()
    model.search(SearchQuery(text="pool", min_beds=3))
    print(json.dumps({"rss_mb": after - before, "columns_mb": model.nbytes / 2**20}))


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
    loads = []
    for _ in range(3):
        started = time.perf_counter()
        model = load(db=db)
        loads.append(time.perf_counter() - started)
    assert model.size == FEED_SIZE, model.size
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
        "readmodel_rss_mb_500k": round(rss["rss_mb"], 1),
        "readmodel_columns_mb_500k": round(rss["columns_mb"], 1),
    }
    write_results("readmodel", results)
    print(json.dumps(results, indent=2), file=sys.stderr)
    return results


if __name__ == "__main__":
    main()
