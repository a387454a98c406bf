"""Search API under load: ``GET /api/listings`` with a mix of typical filtered searches.

Writes bench/results/search.json: ``search_p95_ms`` at an offered 200 requests/s for 30 s
(open loop, target <= 30) and ``search_max_rps`` (highest offered rate whose p95 stays
<= 100 ms without errors, target >= 600). The app runs as users get it (bench.server:
production settings behind gunicorn). The store is the benchmark database's ``listings``
collection; when it is empty it is seeded with 74,000 generated listings. Each worker loads
its read model on first use, so a warm-up phase runs until every worker answers fast.

The searches are drawn from ``search_params`` (cities skewed to the big ones, price/beds
filters from a form's steps, free text, panned and zoomed map viewports, radius searches,
sorts, later pages); every run gets fresh ones from a seeded stream, so no run replays
another's. The API keeps a short-lived per-process cache of encoded answers; each run reports
its hit rate (``X-Cache`` response header), and ``search_max_rps_uncached`` repeats the max-rate
search with every search distinct (hit rate 0), the uncached path on its own. Per-request CPU:
``*_server_cpu_ms_per_request`` (gunicorn master + workers, from /proc) and
``*_loadgen_cpu_ms_per_request`` (the load generator, on the same 2 cores).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from itertools import islice
from typing import Any
from urllib.parse import urlencode

from pymongo import MongoClient

from bench._common import bench_env, demo_database_ensure, write_results
from bench.loadgen import Target, find_max_rps, load_in_subprocess
from devtools.synthetic.listings import CITIES, documents

HOST = "localhost"  # the flagship: every MLS source
FEED_SIZE = 74_000


def seed_if_empty() -> int:
    env = bench_env()
    uri = env["MONGODB_URI"]
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


PRICES = [100_000 * k for k in range(1, 10)] + [1_000_000 + 250_000 * k for k in range(13)]  # a form's steps
PHRASES = [
    "pool",
    "mid century",
    "casita views",
    "mountain views",
    "golf course",
    "gated community",
    "remodeled kitchen",
    "solar owned",
    "guest house",
    "turnkey furnished",
    "short term rental",
    "terrazzo floors",
    "pickleball",
    "citrus trees",
    "fire pit",
    "clerestory windows",
    "vaulted ceilings",
    "downtown dining",
    "hiking trails",
    "low maintenance",
]


def search_params(rng: random.Random) -> dict[str, str]:
    """One typical search, as the site's search page and map send it: a city (skewed to the
    big ones) with price/beds filters, free text, a map viewport (panned and zoomed, so rarely
    the same twice), a radius around a point, sorts and later pages."""
    name, lat, lon, _zip = CITIES[min(int(rng.paretovariate(1.2)) - 1, len(CITIES) - 1)]
    kind = rng.randrange(5)  # city, city + text, map viewport, radius, filters only
    p: dict[str, str] = {"sort": rng.choices(["newest", "price", "-price", "ppsf"], [5, 2, 2, 1])[0], "pageSize": "24"}
    if kind in (0, 1):
        p["city"] = name
    if rng.random() < 0.6:
        lo = rng.choice([None, *PRICES[:12]])
        hi = rng.choice([None, *[x for x in PRICES if lo is None or x > lo]])
        if lo:
            p["minPrice"] = str(lo)
        if hi:
            p["maxPrice"] = str(hi)
    if rng.random() < 0.5:
        p["minBeds"] = rng.choice("12345")
    if rng.random() < 0.15:
        p["minBaths"] = rng.choice("123")
    if rng.random() < 0.1:
        p["pool"] = "true"
    if kind == 1:
        p["q"] = rng.choice(PHRASES)
    if kind == 2:
        clat, clon = lat + rng.gauss(0, 0.03), lon + rng.gauss(0, 0.04)
        half = rng.choice([0.02, 0.04, 0.08, 0.16])  # zoom levels
        p["bbox"] = f"{clon - 1.25 * half:.4f},{clat - half:.4f},{clon + 1.25 * half:.4f},{clat + half:.4f}"
    if kind == 3:
        p["near"] = f"{lat + rng.gauss(0, 0.02):.4f},{lon + rng.gauss(0, 0.03):.4f}"
        p["radius"] = rng.choice(["1", "2", "3", "5", "10"])
    if rng.random() < 0.2:
        p["page"] = rng.choice(["2", "2", "3", "4", "5"])
    return p


def search_urls(count: int = 200, *, seed: int = 4) -> list[str]:
    """``count`` searches drawn from ``search_params`` (repeats happen as they would on a site:
    popular city searches recur, map viewports and radius searches almost never do)."""
    rng = random.Random(seed)
    return ["/api/listings?" + urlencode(search_params(rng)) for _ in range(count)]


class UrlStream:
    """Hands each load run fresh searches from one seeded stream, so no run replays the
    previous one's (a server-side answer cache would otherwise serve the replay). With
    ``unique`` a search is never handed out twice: every request misses any answer cache."""

    def __init__(self, *, seed: int, unique: bool = False) -> None:
        self.rng = random.Random(seed)
        self.unique = unique
        self.seen: set[str] = set()
        self.handed = 0

    def take(self, count: int) -> list[str]:
        out: list[str] = []
        while len(out) < count:
            url = "/api/listings?" + urlencode(search_params(self.rng))
            if self.unique:
                if url in self.seen:
                    continue
                self.seen.add(url)
            out.append(url)
        self.handed += count
        return out


def distinct_share(urls: list[str]) -> float:
    return round(len(set(urls)) / max(1, len(urls)), 3)


def _hit_rate(stats: dict[str, Any]) -> float:
    counts = stats.get("x_cache") or {}
    total = sum(counts.values())
    return round(counts.get("hit", 0) / total, 3) if total else 0.0


def _per_request_ms(stats: dict[str, Any], key: str) -> float:
    done = stats.get("completed") or 0
    return round(stats[key] * 1000 / done, 3) if done and key in stats else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description="Search API benchmark")
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--skip-max", action="store_true")
    parser.add_argument("--skip-uncached", action="store_true", help="skip the max rate with every search distinct")
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    from bench.server import BenchServer

    demo_database_ensure()
    listings = seed_if_empty()
    results: dict[str, float] = {
        "machine_loadavg_1m_at_start": round(os.getloadavg()[0], 2),
        "search_listings": listings,
    }
    with BenchServer() as server:
        results["search_workers"], results["search_threads"] = server.workers, server.threads
        stream = UrlStream(seed=args.seed)

        def targets(rate: float, duration: float, source: UrlStream = stream) -> list[Target]:
            return [Target(server.url(u), host=HOST) for u in source.take(int(rate * duration) + 1)]

        def measured(rate: float, duration: float, timeout: float, source: UrlStream = stream) -> dict[str, Any]:
            before = server.cpu_seconds()["server_cpu_s"]
            stats = load_in_subprocess(targets(rate, duration, source), rate=rate, duration=duration, timeout=timeout)
            stats["server_cpu_s"] = server.cpu_seconds()["server_cpu_s"] - before
            return stats

        first = search_urls(1, seed=args.seed)[0]
        status, body = server.get(first, host=HOST, timeout=180)  # the first request loads the model
        if status != 200:
            raise RuntimeError(f"/api/listings answered {status}: {body[:300]!r} (are the API URLs included?)")
        # Warm-up: each worker loads its read model on its first request (unless the app warms
        # it at boot), and a cold worker's load starves the others; so warm at the full rate,
        # with its many connections, until two windows in a row are clean.
        deadline, clean = time.monotonic() + 300, 0
        while clean < 2 and time.monotonic() < deadline:
            warm = measured(args.rate, 10, 60)
            clean = clean + 1 if warm["errors"] == 0 and warm["p95_ms"] < 100 else 0
            print(f"  warm-up: p95 {warm['p95_ms']} ms, errors {warm['errors']}", file=sys.stderr)
        sample = stream.take(int(args.rate * args.duration))
        results["search_distinct_share"] = distinct_share(sample)  # of the next run's searches
        stream = UrlStream(seed=args.seed + 1)  # fresh searches for the measured run
        stats = measured(args.rate, args.duration, 5.0, stream)
        print(
            f"  search at {args.rate} rps: p50 {stats['p50_ms']} p95 {stats['p95_ms']} ms, errors {stats['errors']},"
            f" cache {stats['x_cache']}, server CPU {_per_request_ms(stats, 'server_cpu_s')} ms/request",
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
                "search_cache_hit_rate": _hit_rate(stats),
                "search_server_cpu_ms_per_request": _per_request_ms(stats, "server_cpu_s"),
                "search_loadgen_cpu_ms_per_request": _per_request_ms(stats, "loadgen_cpu_s"),
            }
        )
        runs: list[tuple[str, UrlStream]] = []
        if not args.skip_max:
            runs.append(("search_max_rps", UrlStream(seed=args.seed + 2)))
        if not args.skip_uncached:
            runs.append(("search_max_rps_uncached", UrlStream(seed=args.seed + 3, unique=True)))
        for name, source in runs:
            print(f"  {name}:", file=sys.stderr)
            found = find_max_rps(
                lambda rate, duration, source=source: targets(rate, duration, source),
                p95_limit_ms=100,
                start_rate=200,
                duration=10,
                probe=server.cpu_seconds,
            )
            results[name] = found["max_rps"]
            best = [s for s in found["steps"] if s["passed"] and s["rate"] == found["max_rps"]]
            if best:
                results[f"{name}_p95_ms"] = best[-1]["p95_ms"]
                results[f"{name}_cache_hit_rate"] = _hit_rate(best[-1])
                results[f"{name}_server_cpu_ms_per_request"] = _per_request_ms(best[-1], "server_cpu_s")
                results[f"{name}_loadgen_cpu_ms_per_request"] = _per_request_ms(best[-1], "loadgen_cpu_s")
    results["machine_loadavg_1m_at_end"] = round(os.getloadavg()[0], 2)
    write_results("search", results)


if __name__ == "__main__":
    main()
