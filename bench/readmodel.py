"""Read model: load time from the store (74,000 listings) and memory for 500,000 listings.

Writes bench/results/readmodel.json: ``readmodel_load_s`` (streaming the ``listings``
collection with the projection into columns, target <= 10) and ``readmodel_rss_mb_500k``
(RSS growth of a fresh process building the model of 500,000 generated listings, target
<= 300). Documents come from ``devtools.synthetic.listings`` into a scratch database
(``BENCH_READMODEL_DB``, default ``chatrealty_bench_readmodel``) on ``MONGODB_URI``.

Shared snapshots (``listings/readmodel/snapshot.py``), on the full feed:
``readmodel_snapshot_publish_s`` (the leader writing a version), ``readmodel_worker_ready_s``
(a new process mapping the current version and answering a first search; imports excluded,
``readmodel_worker_ready_total_s`` is the whole ``python`` process including them) and the
memory of 4 worker processes mapping the same version next to one process that loads its
own copy: ``readmodel_private_rss_mb`` (RSS growth of a private load),
``readmodel_shared_pss_mb_4workers`` (growth of the 4 workers' summed PSS, from
/proc/<pid>/smaps_rollup, after every mapped page was touched) and
``readmodel_shared_uss_mb_per_worker`` (private memory growth per worker: the per-process
strings and dictionaries).
"""

from __future__ import annotations

import gc
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

import numpy as np
from pymongo import MongoClient

from bench._common import ROOT, write_results
from devtools.synthetic.listings import CITIES, documents
from listings.readmodel import BBox, Near, ReadModel, SearchQuery, Sort
from listings.readmodel.columns import PROJECTION
from listings.readmodel.reader import load
from listings.readmodel.snapshot import SharedDir

FEED_SIZE = 74_000


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def rss_child(n: int) -> None:
    """Runs in a fresh interpreter: prints the RSS growth of building the model of n docs."""
    gc.collect()
    before = _rss_mb()
    from listings.readmodel.reader import release_free_memory

    model = ReadModel.from_documents(documents(n, seed=1))
    gc.collect()
    release_free_memory()  # what load() does after a build
    after = _rss_mb()
    model.search(SearchQuery(text="pool", min_beds=3))
    print(json.dumps({"rss_mb": after - before, "columns_mb": model.nbytes / 2**20}))


def _smaps_mb() -> dict[str, float]:
    """Rss, Pss and USS (private clean + dirty) of this process, from smaps_rollup."""
    fields: dict[str, float] = {}
    with open("/proc/self/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[2] == "kB":
                fields[parts[0].rstrip(":")] = int(parts[1]) / 1024
    return {
        "rss": fields["Rss"],
        "pss": fields["Pss"],
        "uss": fields["Private_Clean"] + fields["Private_Dirty"],
    }


def _touch(model: ReadModel) -> None:
    """Read every page of every array (a worker that has served all kinds of queries)."""
    arrays = [*model.cols.values(), model.text.offsets, model.text.rows, model.key_order, model.lat_sorted]
    for a in arrays:
        if a.dtype.kind in "iuf":
            np.asarray(a).view(np.uint8).sum()


def worker_child(root: str) -> None:
    """A new worker: map the current snapshot, answer a search; report; stay until stdin closes."""
    started = time.perf_counter()
    gc.collect()
    before = _smaps_mb()
    model = SharedDir(Path(root)).open_current()
    assert model is not None, "no snapshot"
    model.search(SearchQuery(text="pool", min_beds=3))
    ready = time.perf_counter() - started
    search_latencies(model, count=100)
    _touch(model)
    print(json.dumps({"ready_s": ready, "before": before, "after": _smaps_mb(), "size": model.size}), flush=True)
    sys.stdin.read()


def private_child(uri: str, db_name: str) -> None:
    """A process that loads its own copy from the store (what every worker did before)."""
    gc.collect()
    before = _smaps_mb()
    model = load(db=MongoClient(uri)[db_name])
    _touch(model)
    print(json.dumps({"before": before, "after": _smaps_mb(), "size": model.size}), flush=True)


def _python(code: str, *, stdin: int | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, text=True, stdin=stdin, stdout=subprocess.PIPE)


def shared_snapshot(model: ReadModel, *, uri: str, db_name: str) -> dict[str, float]:
    """Publish ``model`` once, then start workers that map it (see the module docstring)."""
    root = Path(tempfile.mkdtemp(prefix="chatrealty-bench-snapshot-"))
    try:
        shared = SharedDir(root / "listings")
        assert shared.try_lead()
        started = time.perf_counter()
        shared.publish(model)
        publish_s = time.perf_counter() - started
        code = f"from bench.readmodel import worker_child; worker_child({str(shared.root)!r})"
        ready, total = [], []
        for _ in range(3):  # one worker at a time: how fast a new worker is ready
            started = time.perf_counter()
            p = _python(code, stdin=subprocess.PIPE)
            assert p.stdout is not None and p.stdin is not None
            ready.append(json.loads(p.stdout.readline())["ready_s"])
            total.append(time.perf_counter() - started)
            p.stdin.close()
            p.wait(30)
        workers = [_python(code, stdin=subprocess.PIPE) for _ in range(4)]
        reports = []
        for p in workers:
            assert p.stdout is not None
            reports.append(json.loads(p.stdout.readline()))
        rollups = []  # read while all 4 map the same files, so PSS splits the shared pages
        for p in workers:
            with open(f"/proc/{p.pid}/smaps_rollup") as f:
                kb = {ln.split()[0].rstrip(":"): int(ln.split()[1]) for ln in f if ln.rstrip().endswith("kB")}
            rollups.append(kb)
        for p in workers:
            assert p.stdin is not None
            p.stdin.close()
            p.wait(30)
        pss_growth = sum(r["Pss"] / 1024 - rep["before"]["pss"] for r, rep in zip(rollups, reports, strict=True))
        uss_growth = [
            (r["Private_Clean"] + r["Private_Dirty"]) / 1024 - rep["before"]["uss"]
            for r, rep in zip(rollups, reports, strict=True)
        ]
        rss_growth = [r["Rss"] / 1024 - rep["before"]["rss"] for r, rep in zip(rollups, reports, strict=True)]
        priv = _python(f"from bench.readmodel import private_child; private_child({uri!r}, {db_name!r})")
        out, _ = priv.communicate(timeout=600)
        private = json.loads(out)
        return {
            "readmodel_snapshot_publish_s": round(publish_s, 3),
            "readmodel_worker_ready_s": round(statistics.median(ready), 3),
            "readmodel_worker_ready_total_s": round(statistics.median(total), 3),
            "readmodel_private_rss_mb": round(private["after"]["rss"] - private["before"]["rss"], 1),
            "readmodel_shared_rss_mb_per_worker": round(statistics.median(rss_growth), 1),
            "readmodel_shared_pss_mb_4workers": round(pss_growth, 1),
            "readmodel_shared_uss_mb_per_worker": round(statistics.median(uss_growth), 1),
        }
    finally:
        shutil.rmtree(root, ignore_errors=True)


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
    uri = os.environ.get("BENCH_MONGODB_URI") or os.environ["MONGODB_URI"]
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
    shared = shared_snapshot(model, uri=uri, db_name=db_name)
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
        **shared,
    }
    write_results("readmodel", results)
    print(json.dumps(results, indent=2), file=sys.stderr)
    return results


if __name__ == "__main__":
    main()
