"""Cluster correctness: the vectorised index against a brute-force Supercluster loop, and
against mapbox/supercluster itself (node, marked ``node``)."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from devtools.synthetic.listings import documents
from listings.clusters import reference
from listings.clusters.cache import ClusterCache, Entry
from listings.clusters.index import ClusterIndex, abbreviate
from listings.readmodel import ReadModel, SearchQuery

ROOT = Path(__file__).resolve().parents[2]
NODE_DIR = ROOT / "bench" / "node"


def _points(seed: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    lon = rng.normal(-116.5, 0.2, n)
    lat = rng.normal(33.8, 0.15, n)
    dup = rng.integers(0, n, n // 10)  # condos: several listings on one coordinate
    lon[dup], lat[dup] = lon[0], lat[0]
    return lon, lat


def _leaves(index: ClusterIndex, ident: int, count: int) -> list[int]:
    return sorted(index.leaf_indices(ident, limit=count + 1)) if count > 1 else [ident]


@pytest.mark.parametrize("seed", range(6))
def test_every_zoom_matches_brute_force(seed: int) -> None:
    lon, lat = _points(seed, 250 + 50 * seed)
    index = ClusterIndex(lon=lon, lat=lat)
    ref = reference.build(lon.tolist(), lat.tolist())
    for z, items in ref.items():
        level = index.levels[z]
        ours = {int(i): int(c) for i, c in zip(level.ident, level.num, strict=True)}
        assert ours == {it.ident: it.num for it in items}, f"zoom {z}"
        for it in items:  # membership: the leaves under each cluster are the same points
            assert _leaves(index, it.ident, it.num) == sorted(it.members)


def test_children_expansion_and_leaf_pages() -> None:
    lon, lat = _points(42, 400)
    index = ClusterIndex(lon=lon, lat=lat, price=np.arange(400) * 1000)
    top = [f for f in index.get_clusters((-180, -85, 180, 85), 3) if f["properties"].get("cluster")]
    assert top
    props = top[0]["properties"]
    cid, count = props["cluster_id"], props["point_count"]
    children = index.get_children(cid)
    assert sum(c["properties"].get("point_count", 1) for c in children) == count
    zoom = index.get_cluster_expansion_zoom(cid)
    assert 3 < zoom <= 17
    pages = [index.leaf_indices(cid, limit=7, offset=o) for o in range(0, count, 7)]
    flat = [i for p in pages for i in p]
    assert len(flat) == len(set(flat)) == count
    assert props["min_price"] == min(flat) * 1000 and props["max_price"] == max(flat) * 1000
    with pytest.raises(KeyError):
        index.get_children(10**9)


def test_antimeridian_and_whole_world() -> None:
    lon = np.array([179.5, -179.5, 0.0])
    lat = np.array([10.0, 10.0, 10.0])
    index = ClusterIndex(lon=lon, lat=lat)
    assert len(index.view((179, 0, -179, 20), 17)) == 2
    assert len(index.view((-200, -90, 200, 90), 17)) == 3


def test_abbreviation_matches_supercluster() -> None:
    assert [abbreviate(c) for c in (999, 1000, 1049, 1050, 1950, 9999, 10000, 10500, 123456)] == [
        999,
        "1k",
        "1k",
        "1.1k",
        "2k",
        "10k",
        "10k",
        "11k",
        "123k",
    ]


def test_cache_reuses_per_filter_set_and_rebuilds_a_new_version_in_the_background() -> None:
    docs = list(documents(300, seed=3))
    model = ReadModel.from_documents(docs)
    cache = ClusterCache(max_entries=4)
    palm = SearchQuery(cities=("Palm Springs",))
    a = cache.get(model=model, query=palm)
    b = cache.get(model=model, query=SearchQuery(cities=("Palm Springs",), page=3))
    assert a is b and cache.builds == 1
    assert a.index.n == model.search(palm).total
    gone = next(d["listingKey"] for d in docs if d["city"] == "Palm Springs")
    newer = model.apply_changes(changed=[], removed=[gone])
    # The request is answered at once from the old index, whose pins come from its own model...
    stale = cache.get(model=newer, query=palm)
    assert stale is a and stale.model is model
    assert gone in _keys(stale)
    # ...while the background thread builds the new version's index once.
    assert cache.settle(timeout=10)
    c = cache.get(model=newer, query=palm)
    assert c is not a and c.version == newer.version and cache.builds == 2
    keys = _keys(c)
    assert gone not in keys and len(keys) == c.index.n == newer.search(palm).total
    assert cache.get(model=newer, query=palm) is c and cache.builds == 2
    # A request still holding the older model gets the newer index rather than a rebuild.
    assert cache.get(model=model, query=palm) is c and cache.builds == 2


def _keys(entry: Entry) -> set[str]:
    feats = entry.index.get_clusters((-180, -85, 180, 85), 17, entry.point_properties())
    return {f["properties"]["key"] for f in feats}


def test_a_stale_index_answers_only_for_its_lineage_and_for_a_while() -> None:
    docs = list(documents(300, seed=3))
    model = ReadModel.from_documents(docs)
    query = SearchQuery(min_beds=3)
    # A full load (another lineage, e.g. another store) is built on the request.
    cache = ClusterCache(max_entries=4)
    first = cache.get(model=model, query=query)
    reloaded = ReadModel.from_documents(docs[:100])
    again = cache.get(model=reloaded, query=query)
    assert again is not first and again.model is reloaded and cache.builds == 2
    assert again.index.n == reloaded.search(query).total
    # Once superseded ``stale_s`` ago an index no longer answers, and is dropped even when
    # nobody asks for its filters again (it pins its model).
    cache = ClusterCache(max_entries=4, stale_s=0.2)
    cache.get(model=model, query=query)
    cache.get(model=model, query=SearchQuery(min_beds=4))
    newer = model.apply_changes(changed=[], removed=[docs[0]["listingKey"]])
    cache.get(model=newer, query=SearchQuery(min_beds=5))
    assert {e.model for e in cache._entries.values()} == {model, newer}
    time.sleep(0.25)
    fresh = cache.get(model=newer, query=query)
    assert fresh.model is newer and cache.builds == 4
    assert {e.model for e in cache._entries.values()} == {newer}


def test_the_background_rebuild_waits_for_the_budget_and_the_stale_index_keeps_answering() -> None:
    docs = list(documents(300, seed=3))
    model = ReadModel.from_documents(docs)
    cache = ClusterCache(max_entries=4, build_burst_s=0.5, build_share=2.0)
    old = cache.get(model=model, query=SearchQuery())
    cache.budget.charge(1.0)  # spent: about 0.25 s until the balance is positive again
    newer = model.apply_changes(changed=[], removed=[docs[0]["listingKey"]])
    for _ in range(20):  # no 429 while the new index waits for the budget
        assert cache.get(model=newer, query=SearchQuery()) is old
    assert cache.refused == 0 and cache.builds == 1
    assert cache.settle(timeout=10)
    assert cache.get(model=newer, query=SearchQuery()).model is newer and cache.builds == 2


def test_a_scope_of_every_source_shares_the_unscoped_index() -> None:
    docs = list(documents(300, seed=3))
    for doc in docs[::2]:
        doc["mlsSource"] = "crmls"
    model = ReadModel.from_documents(docs)
    cache = ClusterCache(max_entries=4)
    unscoped = cache.get(model=model, query=SearchQuery())
    every = cache.get(model=model, query=SearchQuery(mls_sources=("gps", "crmls")))
    assert every is unscoped and cache.builds == 1
    gps = cache.get(model=model, query=SearchQuery(mls_sources=("gps",)))
    assert gps is not unscoped and cache.builds == 2
    assert gps.index.n == model.search(SearchQuery(mls_sources=("gps",))).total == 150
    # A listing of no known source is left out by a scoped query: no sharing then.
    docs[1].pop("mlsSource")
    sourceless = ReadModel.from_documents(docs)
    scoped = cache.get(model=sourceless, query=SearchQuery(mls_sources=("gps", "crmls")))
    assert scoped is not cache.get(model=sourceless, query=SearchQuery())
    assert scoped.index.n == sourceless.search(SearchQuery(mls_sources=("gps", "crmls"))).total == 299


def _supercluster(points: np.ndarray, queries: list[dict[str, object]], tmp: Path) -> list:
    (tmp / "p.f64").write_bytes(points.astype("<f8").tobytes())
    (tmp / "q.json").write_text(json.dumps(queries))
    out = subprocess.run(
        [
            "node",
            str(NODE_DIR / "supercluster_run.mjs"),
            str(tmp / "p.f64"),
            str(tmp / "q.json"),
            "--repeat",
            "1",
            "--detail",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(out.stdout)["results"]


@pytest.mark.node
@pytest.mark.skipif(
    shutil.which("node") is None or not (NODE_DIR / "node_modules" / "supercluster").exists(),
    reason="needs node and `npm ci --prefix bench/node`",
)
def test_same_answers_as_supercluster(tmp_path: Path) -> None:
    lon, lat = _points(7, 3000)
    index = ClusterIndex(lon=lon, lat=lat)
    queries = [{"bbox": [-180, -85, 180, 85], "zoom": z} for z in range(18)]
    queries += [{"bbox": [-116.6, 33.7, -116.4, 33.9], "zoom": z} for z in (8, 10, 12, 14, 16)]
    queries += [{"bbox": [170, -10, -170, 10], "zoom": 4}]
    theirs = _supercluster(np.column_stack([lon, lat]), queries, tmp_path)
    for q, expected in zip(queries, theirs, strict=True):
        got = []
        for f in index.get_clusters(tuple(q["bbox"]), q["zoom"]):
            p = f["properties"]
            if p.get("cluster"):
                cid = p["cluster_id"]
                got.append(
                    [
                        cid,
                        p["point_count"],
                        index.get_cluster_expansion_zoom(cid),
                        sorted(index.leaf_indices(cid, limit=10**9)),
                    ]
                )
            else:
                got.append(p["index"])
        key = lambda v: (0, v, 0) if isinstance(v, int) else (1, v[0], v[1])  # noqa: E731
        assert sorted(got, key=key) == sorted(expected, key=key), q
