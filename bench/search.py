"""Search API under load: ``GET /api/listings`` with a mix of typical filtered searches.

Writes bench/results/search.json: ``search_p95_ms`` at an offered 200 requests/s for 30 s
(open loop, target <= 30) and ``search_max_rps`` (highest offered rate whose p95 stays
<= 100 ms without errors, target >= 600). The app runs as users get it (bench.server:
production settings behind gunicorn). The store is the benchmark database's ``listings``
collection; when it is empty it is seeded with 74,000 generated listings. Each worker loads
its read model on first use, so a warm-up phase runs until every worker answers fast.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from itertools import islice
from urllib.parse import urlencode

from pymongo import MongoClient

from bench._common import bench_env, demo_database_ensure, write_results
from bench.loadgen import Target, find_max_rps, load_in_subprocess
from listings.readmodel.synthetic import CITIES, documents

HOST = "localhost"  # the flagship: every MLS source
FEED_SIZE = 74_000


def seed_if_empty() -> int:
    env = bench_env()
    uri = env.get("MONGODB_URI", "mongodb://127.0.0.1:27018")
    coll = MongoClient(uri)[env["MONGODB_DB"]]["listings"]
    count = coll.estimated_document_count()
    if count:
        return count
    docs = documents(FEED_SIZE, seed=2)
    while batch := list(islice(docs, 2000)):
        coll.insert_many(batch, ordered=False)
    coll.create_index("listingKey", unique=True)
    coll.create_index("slug", unique=True)
    return FEED_SIZE


def search_urls(count: int = 200, *, seed: int = 4) -> list[str]:
    """Typical searches: a city with price/beds, free text, a map area, a radius, sorts, pages."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        name, lat, lon, _zip = CITIES[min(int(rng.paretovariate(1.2)) - 1, len(CITIES) - 1)]
        kind = rng.randrange(5)
        p: dict[str, str] = {"sort": rng.choice(["newest", "price", "-price", "ppsf"]), "pageSize": "24"}
        if kind in (0, 1):
            p["city"] = name
        if rng.random() < 0.6:
            p["minPrice"], p["maxPrice"] = rng.choice([("300000", "900000"), ("500000", "1500000")])
        if rng.random() < 0.5:
            p["minBeds"] = rng.choice(["2", "3", "4"])
        if kind == 1:
            p["q"] = rng.choice(["pool", "mid century", "casita views"])
        if kind == 2:
            p["bbox"] = f"{lon - 0.1:.4f},{lat - 0.08:.4f},{lon + 0.1:.4f},{lat + 0.08:.4f}"
        if kind == 3:
            p["near"], p["radius"] = f"{lat:.4f},{lon:.4f}", "3"
        if rng.random() < 0.2:
            p["page"] = rng.choice(["2", "3", "5"])
        out.append("/api/listings?" + urlencode(p))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description="Search API benchmark")
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--skip-max", action="store_true")
    args = parser.parse_args()
    from bench.server import BenchServer

    demo_database_ensure()
    listings = seed_if_empty()
    results: dict[str, float] = {
        "machine_loadavg_1m_at_start": round(os.getloadavg()[0], 2),
        "search_listings": listings,
    }
    with BenchServer() as server:
        urls = search_urls()
        status, body = server.get(urls[0], host=HOST, timeout=180)  # the first request loads the model
        if status != 200:
            raise RuntimeError(f"/api/listings answered {status}: {body[:300]!r} (are the API URLs included?)")
        targets = [Target(server.url(u), host=HOST) for u in urls]
        # Warm-up: each worker loads its read model on its first request (unless the app warms
        # it at boot), and a cold worker's load starves the others; so warm at the full rate,
        # with its many connections, until two windows in a row are clean.
        deadline, clean = time.monotonic() + 300, 0
        while clean < 2 and time.monotonic() < deadline:
            warm = load_in_subprocess(targets, rate=args.rate, duration=10, timeout=60)
            clean = clean + 1 if warm["errors"] == 0 and warm["p95_ms"] < 100 else 0
            print(f"  warm-up: p95 {warm['p95_ms']} ms, errors {warm['errors']}", file=sys.stderr)
        stats = load_in_subprocess(targets, rate=args.rate, duration=args.duration, timeout=5.0)
        print(
            f"  search at {args.rate} rps: p50 {stats['p50_ms']} p95 {stats['p95_ms']} ms, errors {stats['errors']}",
            file=sys.stderr,
        )
        results.update(
            {
                "search_p50_ms": stats["p50_ms"],
                "search_p95_ms": stats["p95_ms"],
                "search_p99_ms": stats["p99_ms"],
                "search_errors": stats["errors"],
                "search_offered_rps": args.rate,
                "search_achieved_rps": stats["achieved_rps"],
            }
        )
        if not args.skip_max:
            found = find_max_rps(targets, p95_limit_ms=100, start_rate=200, duration=10)
            results["search_max_rps"] = found["max_rps"]
    results["machine_loadavg_1m_at_end"] = round(os.getloadavg()[0], 2)
    write_results("search", results)


if __name__ == "__main__":
    main()
