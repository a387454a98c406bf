"""A server-side Supercluster: hierarchical greedy point clustering per zoom, in numpy.

Mirrors mapbox/supercluster v8 (options, Web Mercator [0, 1] projection, float32 KD-tree
coordinates, greedy order, cluster ids ``(index << 5) + (zoom + 1) + numPoints``, GeoJSON
properties, expansion zoom and leaves) so that the same points in the same order give the
same clusters. Differences, on purpose:

* a level's spatial index is its items sorted by x (one binary search gives the x slab, a
  vectorised test the rest) instead of a KD-tree: the answer of a range query is the same
  set, the order of items in it is not;
* children (and so leaf pagination) come in level order rather than KD-tree order;
* ``map``/``reduce`` are fixed: clusters carry ``min_price`` / ``max_price`` for price pins.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .greedy import greedy_groups, neighbour_pairs

# Properties of single points, from their input indices (vectorised: one call per query).
PointProperties = Callable[[np.ndarray], list[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class Options:
    min_zoom: int = 0
    max_zoom: int = 16
    min_points: int = 2
    radius: float = 40
    extent: int = 512


def lng_x(lng: np.ndarray) -> np.ndarray:
    return lng / 360 + 0.5


def _lng_x(lng: float) -> float:
    return lng / 360 + 0.5


def lat_y(lat: np.ndarray) -> np.ndarray:
    s = np.sin(lat * math.pi / 180)
    with np.errstate(divide="ignore", invalid="ignore"):
        y = 0.5 - 0.25 * np.log((1 + s) / (1 - s)) / math.pi
    return np.clip(np.nan_to_num(y, nan=0.0, posinf=1.0, neginf=0.0), 0.0, 1.0)


def abbreviate(count: int) -> int | str:
    """Supercluster's point_count_abbreviated (JS Math.round is half-up)."""
    if count >= 10000:
        return f"{math.floor(count / 1000 + 0.5)}k"
    if count >= 1000:
        v = math.floor(count / 100 + 0.5) / 10
        return f"{int(v) if v.is_integer() else v}k"
    return count


def _ceil32(v: float) -> np.float32:
    """The smallest float32 >= v: ``x32 >= v`` is then exactly ``x32 >= _ceil32(v)``."""
    f = np.float32(v)
    return f if float(f) >= v else np.nextafter(f, np.float32(np.inf))


def _floor32(v: float) -> np.float32:
    f = np.float32(v)
    return f if float(f) <= v else np.nextafter(f, np.float32(-np.inf))


@dataclass(slots=True)
class Level:
    """Items of one zoom: points and clusters.

    While building, arrays are in Supercluster's data order (the greedy order). ``freeze``
    then re-sorts every column by the float32 x coordinate, so a viewport query is two binary
    searches, one comparison over the x slab and plain slicing: no per-item Python work.
    ``inv`` maps a data-order index (as encoded in cluster ids) to its sorted position.
    """

    x: np.ndarray  # float64, as in Supercluster's data array (build only)
    y: np.ndarray
    x32: np.ndarray  # float32 KD-tree coordinates used by range/within tests
    y32: np.ndarray
    num: np.ndarray  # point count (1 for an input point)
    ident: np.ndarray  # int64 input index (points) or cluster id (clusters)
    parent: np.ndarray  # int64 cluster id of the parent at the next lower zoom, -1 for none
    pmin: np.ndarray  # float64 min price under the item (inf when unknown)
    pmax: np.ndarray
    lng: np.ndarray | None = None  # output coordinates (frozen only)
    lat: np.ndarray | None = None
    inv: np.ndarray | None = None
    by_parent: np.ndarray | None = None
    sparent: np.ndarray | None = None

    def freeze(self, *, lon: np.ndarray, lat: np.ndarray) -> None:
        order = np.argsort(self.x32, kind="stable")
        cluster = self.num > 1
        # Clusters are drawn at their weighted center, points at their own input position.
        lng = np.where(cluster, (self.x - 0.5) * 360, lon[np.where(cluster, 0, self.ident)])
        y2 = (180 - self.y * 360) * math.pi / 180
        lat_c = 360 * np.arctan(np.exp(y2)) / math.pi - 90
        lat_ = np.where(cluster, lat_c, lat[np.where(cluster, 0, self.ident)])
        self.inv = np.empty(len(order), dtype=np.int32)
        self.inv[order] = np.arange(len(order), dtype=np.int32)
        self.x32, self.y32 = self.x32[order], self.y32[order]
        self.num = self.num[order].astype(np.int32)
        self.ident, self.parent = self.ident[order], self.parent[order]
        self.pmin, self.pmax = self.pmin[order], self.pmax[order]
        self.lng, self.lat = lng[order], lat_[order]
        empty = np.empty(0)
        self.x, self.y = empty, empty  # build-only columns: free them

    def _parents(self) -> tuple[np.ndarray, np.ndarray]:
        # Built on the first children/leaves/expansion query of this level, not at build
        # time: most levels of most indexes are never asked for children.
        if self.by_parent is None or self.sparent is None:
            by_parent = np.argsort(self.parent, kind="stable")
            self.sparent = self.parent[by_parent]
            self.by_parent = by_parent
        return self.by_parent, self.sparent

    def range(self, min_x: float, min_y: float, max_x: float, max_y: float) -> np.ndarray:
        """Sorted positions of items with min_x <= x32 <= max_x and min_y <= y32 <= max_y."""
        lo = int(np.searchsorted(self.x32, _ceil32(min_x), side="left"))
        hi = int(np.searchsorted(self.x32, _floor32(max_x), side="right"))
        yy = self.y32[lo:hi]
        return np.flatnonzero((yy >= _ceil32(min_y)) & (yy <= _floor32(max_y))) + lo

    def children_of(self, cluster_id: int) -> np.ndarray:
        """Sorted positions of a cluster's children."""
        by_parent, sparent = self._parents()
        lo = int(np.searchsorted(sparent, cluster_id, side="left"))
        hi = int(np.searchsorted(sparent, cluster_id, side="right"))
        return by_parent[lo:hi]  # ascending x (Supercluster: KD-tree order; neither is promised)


class ClusterIndex:
    """Build once per (filter set, read model version); query per viewport."""

    def __init__(
        self, *, lon: np.ndarray, lat: np.ndarray, price: np.ndarray | None = None, options: Options | None = None
    ) -> None:
        self.options = o = options or Options()
        self.n = n = len(lon)
        self.lon = np.asarray(lon, dtype=np.float64)
        self.lat = np.asarray(lat, dtype=np.float64)
        p = (
            np.full(n, np.inf)
            if price is None
            else np.where(np.asarray(price) >= 0, np.asarray(price, dtype=np.float64), np.nan)
        )
        x = lng_x(self.lon).astype(np.float32).astype(np.float64)  # fround, as Supercluster
        y = lat_y(self.lat).astype(np.float32).astype(np.float64)
        level = Level(
            x=x,
            y=y,
            x32=x.astype(np.float32),
            y32=y.astype(np.float32),
            num=np.ones(n, dtype=np.int64),
            ident=np.arange(n, dtype=np.int64),
            parent=np.full(n, -1, dtype=np.int64),
            pmin=np.where(np.isnan(p), np.inf, p),
            pmax=np.where(np.isnan(p), -np.inf, p),
        )
        self.levels: dict[int, Level] = {o.max_zoom + 1: level}
        self.rounds: dict[int, int] = {}
        for z in range(o.max_zoom, o.min_zoom - 1, -1):
            level = self._cluster(level, z)
            self.levels[z] = level
        for lv in self.levels.values():
            lv.freeze(lon=self.lon, lat=self.lat)

    def _cluster(self, cur: Level, zoom: int) -> Level:
        o = self.options
        r = o.radius / (o.extent * 2.0**zoom)
        a, b = neighbour_pairs(cur.x, cur.y, cur.x32, cur.y32, r)
        g = greedy_groups(len(cur.x), a, b)
        self.rounds[zoom] = g.rounds
        c = g.centers
        size = len(cur.x)
        num = np.bincount(g.parent, weights=cur.num, minlength=size)[c].astype(np.int64)
        merged = (num > cur.num[c]) & (num >= o.min_points)
        # minPoints > 2 would let a center keep its neighbours unmerged; we serve the default.
        if o.min_points > 2 and not merged.all() and (num[~merged] > cur.num[c][~merged]).any():
            raise NotImplementedError("min_points > 2 with sub-threshold groups")
        wx = np.bincount(g.parent, weights=cur.x * cur.num, minlength=size)[c]
        wy = np.bincount(g.parent, weights=cur.y * cur.num, minlength=size)[c]
        ids = (c.astype(np.int64) << 5) + (zoom + 1) + self.n
        pmin = np.full(size, np.inf)
        np.minimum.at(pmin, g.parent, cur.pmin)
        pmax = np.full(size, -np.inf)
        np.maximum.at(pmax, g.parent, cur.pmax)
        # Parents: every member of a merged group points at the new cluster id.
        group_id = np.full(size, -1, dtype=np.int64)
        group_id[c[merged]] = ids[merged]
        cur.parent = np.where(group_id[g.parent] >= 0, group_id[g.parent], cur.parent)
        x = np.where(merged, wx / num, cur.x[c])
        y = np.where(merged, wy / num, cur.y[c])
        return Level(
            x=x,
            y=y,
            x32=x.astype(np.float32),
            y32=y.astype(np.float32),
            num=num,
            ident=np.where(merged, ids, cur.ident[c]),
            parent=np.full(len(c), -1, dtype=np.int64),
            pmin=pmin[c],
            pmax=pmax[c],
        )

    # ---- queries (Supercluster's API) ----------------------------------------------------
    def limit_zoom(self, z: float) -> int:
        o = self.options
        return max(o.min_zoom, min(math.floor(z), o.max_zoom + 1))

    def view(self, bbox: tuple[float, float, float, float], zoom: float) -> View:
        """Items visible in ``bbox`` = (west, south, east, north) at ``zoom``, as columns.

        The equivalent of Supercluster's ``getClusters`` without building GeoJSON objects
        (Supercluster hands back references it already holds; so do we, as array slices).
        """
        min_lng = ((bbox[0] + 180) % 360 + 360) % 360 - 180
        min_lat = max(-90.0, min(90.0, bbox[1]))
        max_lng = 180.0 if bbox[2] == 180 else ((bbox[2] + 180) % 360 + 360) % 360 - 180
        max_lat = max(-90.0, min(90.0, bbox[3]))
        if bbox[2] - bbox[0] >= 360:
            min_lng, max_lng = -180.0, 180.0
        elif min_lng > max_lng:
            east = self.view((min_lng, min_lat, 180, max_lat), zoom)
            west = self.view((-180, min_lat, max_lng, max_lat), zoom)
            return View.concat(east, west)
        level = self.levels[self.limit_zoom(zoom)]
        pos = level.range(_lng_x(min_lng), _lat_y(max_lat), _lng_x(max_lng), _lat_y(min_lat))
        return View.of(level, pos)

    def get_clusters(
        self, bbox: tuple[float, float, float, float], zoom: float, point_properties: PointProperties | None = None
    ) -> list[dict[str, Any]]:
        return self.view(bbox, zoom).features(point_properties)

    def _origin(self, cluster_id: int) -> tuple[int, int]:
        return (cluster_id - self.n) >> 5, (cluster_id - self.n) % 32

    def _children_items(self, cluster_id: int) -> tuple[Level, np.ndarray]:
        origin_id, origin_zoom = self._origin(cluster_id)
        level = self.levels.get(origin_zoom)
        if level is None or cluster_id < self.n or origin_id >= len(level.num):
            raise KeyError("No cluster with the specified id.")
        items = level.children_of(cluster_id)
        if not len(items):
            raise KeyError("No cluster with the specified id.")
        return level, items

    def get_children(self, cluster_id: int, point_properties: PointProperties | None = None) -> list[dict[str, Any]]:
        level, items = self._children_items(cluster_id)
        return View.of(level, items).features(point_properties)

    def get_cluster_expansion_zoom(self, cluster_id: int) -> int:
        expansion = self._origin(cluster_id)[1] - 1
        while expansion <= self.options.max_zoom:
            level, items = self._children_items(cluster_id)
            expansion += 1
            if len(items) != 1:
                break
            cluster_id = int(level.ident[items[0]])
        return expansion

    def leaf_indices(self, cluster_id: int, limit: int = 10, offset: int = 0) -> list[int]:
        """Input indices of a cluster's points, paginated like Supercluster's getLeaves."""
        out: list[int] = []
        self._append_leaves(out, cluster_id, limit, offset, 0)
        return out

    def _append_leaves(self, out: list[int], cluster_id: int, limit: int, offset: int, skipped: int) -> int:
        level, items = self._children_items(cluster_id)
        for i in items.tolist():
            count = int(level.num[i])
            if count > 1:
                if skipped + count <= offset:
                    skipped += count
                else:
                    skipped = self._append_leaves(out, int(level.ident[i]), limit, offset, skipped)
            elif skipped < offset:
                skipped += 1
            else:
                out.append(int(level.ident[i]))
            if len(out) == limit:
                break
        return skipped


def _lat_y(lat: float) -> float:
    s = math.sin(lat * math.pi / 180)
    if s >= 1:
        return 0.0
    if s <= -1:
        return 1.0
    y = 0.5 - 0.25 * math.log((1 + s) / (1 - s)) / math.pi
    return 0.0 if y < 0 else 1.0 if y > 1 else y


@dataclass(frozen=True, slots=True)
class View:
    """The items of a viewport (or a cluster's children) as parallel columns."""

    ident: np.ndarray  # cluster id, or the input index of a point
    count: np.ndarray  # > 1 for clusters
    lng: np.ndarray
    lat: np.ndarray
    pmin: np.ndarray
    pmax: np.ndarray

    @classmethod
    def of(cls, level: Level, pos: np.ndarray) -> View:
        assert level.lng is not None and level.lat is not None
        return cls(level.ident[pos], level.num[pos], level.lng[pos], level.lat[pos], level.pmin[pos], level.pmax[pos])

    @classmethod
    def concat(cls, a: View, b: View) -> View:
        return cls(*(np.concatenate((getattr(a, f), getattr(b, f))) for f in cls.__slots__))

    def __len__(self) -> int:
        return len(self.ident)

    def features(self, point_properties: PointProperties | None = None) -> list[dict[str, Any]]:
        """GeoJSON features, built column-wise: per item, one dict literal."""
        is_cluster = self.count > 1
        feats: list[dict[str, Any]] = []
        c = np.flatnonzero(is_cluster)
        if len(c):
            lo = np.where(np.isinf(self.pmin[c]), np.nan, self.pmin[c]).tolist()
            hi = np.where(np.isinf(self.pmax[c]), np.nan, self.pmax[c]).tolist()
            feats.extend(
                {
                    "type": "Feature",
                    "id": cid,
                    "properties": {
                        "cluster": True,
                        "cluster_id": cid,
                        "point_count": cnt,
                        "point_count_abbreviated": abbreviate(cnt),
                        "min_price": None if a != a else a,
                        "max_price": None if b != b else b,
                    },
                    "geometry": {"type": "Point", "coordinates": [x, y]},
                }
                for cid, cnt, x, y, a, b in zip(
                    self.ident[c].tolist(),
                    self.count[c].tolist(),
                    self.lng[c].tolist(),
                    self.lat[c].tolist(),
                    lo,
                    hi,
                    strict=True,
                )
            )
        p = np.flatnonzero(~is_cluster)
        if len(p):
            index = self.ident[p]
            props = point_properties(index) if point_properties is not None else [{"index": i} for i in index.tolist()]
            feats.extend(
                {"type": "Feature", "properties": pr, "geometry": {"type": "Point", "coordinates": [x, y]}}
                for pr, x, y in zip(props, self.lng[p].tolist(), self.lat[p].tolist(), strict=True)
            )
        return feats
