"""Map clusters: our numpy Supercluster vs mapbox/supercluster on the same 500,000 points.

Writes bench/results/clusters.json: ``clusters_build_s`` (target <= 5), ``clusters_p95_ms``
(viewport queries at zooms 3..17, target <= 20), ``clusters_vs_supercluster`` (ours/theirs,
the larger of the build and the query-p95 ratios, target <= 1.5), and the parts.
Supercluster runs in node from bench/node (``npm ci --prefix bench/node`` first).
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench._common import ROOT, write_results
from devtools.synthetic.listings import CITIES
from listings.clusters.index import ClusterIndex

NODE_DIR = ROOT / "bench" / "node"
VIEWPORT_PX = (1280, 800)
TILE_PX = 512  # MapLibre's world is 512 * 2^z px wide, the extent Supercluster assumes


def points(*, n: int, seed: int = 11) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Listings around Southern California cities, big cities denser (like the feed)."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, len(CITIES) + 1) ** 0.8
    city = rng.choice(len(CITIES), size=n, p=weights / weights.sum())
    clat = np.array([c[1] for c in CITIES])[city]
    clon = np.array([c[2] for c in CITIES])[city]
    lat = clat + rng.normal(0, 0.04, n)
    lon = clon + rng.normal(0, 0.05, n)
    price = np.round(rng.lognormal(13.1, 0.6, n), -3)
    return lon, lat, price


def viewports(
    lon: np.ndarray, lat: np.ndarray, *, count: int, seed: int = 5
) -> list[tuple[tuple[float, float, float, float], int]]:
    """Viewports of a 1280x800 map centred on random listings, zoom 3..17."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        i = int(rng.integers(len(lon)))
        z = int(rng.integers(3, 18))
        world = TILE_PX * 2.0**z
        cx = lon[i] / 360 + 0.5
        s = np.sin(np.radians(lat[i]))
        cy = 0.5 - 0.25 * np.log((1 + s) / (1 - s)) / np.pi
        hw, hh = VIEWPORT_PX[0] / world / 2, VIEWPORT_PX[1] / world / 2

        def to_lat(y: float) -> float:
            return float(np.degrees(2 * np.arctan(np.exp((0.5 - y) * 2 * np.pi)) - np.pi / 2))

        out.append(((float((cx - hw - 0.5) * 360), to_lat(cy + hh), float((cx + hw - 0.5) * 360), to_lat(cy - hh)), z))
    return out


def ours(
    lon: np.ndarray, lat: np.ndarray, price: np.ndarray, queries: list[tuple[tuple[float, float, float, float], int]]
) -> dict[str, object]:
    builds = []
    for _ in range(2):
        started = time.perf_counter()
        index = ClusterIndex(lon=lon, lat=lat, price=price)
        builds.append(time.perf_counter() - started)
    prices = price.tolist()

    def props(idx: np.ndarray) -> list[dict[str, object]]:
        return [{"index": i, "price": prices[i]} for i in idx.tolist()]

    for bbox, z in queries:  # warm-up pass, as for node
        index.get_clusters(bbox, z, props)
    times, geojson_times, counts = [], [], []
    for bbox, z in queries:
        runs, geo_runs = [], []
        for _ in range(5):  # median of 5 per viewport, as in supercluster_run.mjs
            started = time.perf_counter()
            view = index.view(bbox, z)
            runs.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            feats = index.get_clusters(bbox, z, props)
            geo_runs.append((time.perf_counter() - started) * 1000)
        times.append(statistics.median(runs))
        geojson_times.append(statistics.median(geo_runs))
        counts.append(len(feats))
        assert len(view) == len(feats)
    return {"build_s": min(builds), "query_ms": times, "geojson_ms": geojson_times, "counts": counts}


def theirs(
    lon: np.ndarray, lat: np.ndarray, queries: list[tuple[tuple[float, float, float, float], int]]
) -> dict[str, object]:
    node = shutil.which("node")
    if node is None or not (NODE_DIR / "node_modules" / "supercluster").exists():
        raise SystemExit("needs node and `npm ci --prefix bench/node`")
    with tempfile.TemporaryDirectory() as tmp:
        pts, qs = Path(tmp) / "points.f64", Path(tmp) / "queries.json"
        np.column_stack([lon, lat]).astype("<f8").tofile(pts)
        qs.write_text(json.dumps([{"bbox": list(b), "zoom": z} for b, z in queries]))
        out = subprocess.run(
            [
                node,
                "--max-old-space-size=4096",
                str(NODE_DIR / "supercluster_run.mjs"),
                str(pts),
                str(qs),
                "--repeat",
                "2",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    data = json.loads(out.stdout)
    return {"build_s": min(data["build_ms"]) / 1000, "query_ms": data["query_ms"], "counts": data["results"]}


def p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def main(*, n: int = 500_000, queries: int = 300) -> dict[str, float]:
    lon, lat, price = points(n=n)
    qs = viewports(lon, lat, count=queries)
    a = ours(lon, lat, price, qs)
    b = theirs(lon, lat, qs)
    build_ratio = a["build_s"] / b["build_s"]
    query_ratio = p95(a["query_ms"]) / p95(b["query_ms"])
    mismatches = sum(x != y for x, y in zip(a["counts"], b["counts"], strict=True))
    results = {
        "clusters_points": n,
        "clusters_queries": queries,
        "clusters_build_s": round(a["build_s"], 3),
        # The user-visible cost: viewport -> GeoJSON features with pin properties.
        "clusters_p95_ms": round(p95(a["geojson_ms"]), 3),
        "clusters_p50_ms": round(statistics.median(a["geojson_ms"]), 3),
        # The index query alone (Supercluster's getClusters equivalent: no new objects).
        "clusters_view_p95_ms": round(p95(a["query_ms"]), 3),
        "clusters_mean_features": round(statistics.mean(a["counts"]), 1),
        "supercluster_build_s": round(b["build_s"], 3),
        "supercluster_p95_ms": round(p95(b["query_ms"]), 3),
        "clusters_build_ratio": round(build_ratio, 3),
        "clusters_query_ratio": round(query_ratio, 3),
        "clusters_geojson_query_ratio": round(p95(a["geojson_ms"]) / p95(b["query_ms"]), 3),
        "clusters_vs_supercluster": round(max(build_ratio, query_ratio), 3),
        "clusters_count_mismatches": mismatches,
    }
    write_results("clusters", results)
    print(json.dumps(results, indent=2), file=sys.stderr)
    return results


if __name__ == "__main__":
    main()
