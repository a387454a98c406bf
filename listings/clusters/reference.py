"""The greedy clustering as Supercluster's loop, brute force: O(n^2) per zoom, for tests only.

A direct transcription of the sequential semantics (visit in order, swallow unvisited
neighbours within r, weighted centers, float32 tree coordinates, cluster id encoding) with a
linear scan instead of a KD-tree, so the vectorised index can be checked against it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


def _f32(v: float) -> float:
    return float(np.float32(v))


@dataclass
class Item:
    x: float
    y: float
    num: int
    ident: int
    zoom: float = math.inf
    parent: int = -1
    members: list[int] = field(default_factory=list)  # input indices under this item


def lng_x(lng: float) -> float:
    return lng / 360 + 0.5


def lat_y(lat: float) -> float:
    s = math.sin(lat * math.pi / 180)
    y = 0.5 - 0.25 * math.log((1 + s) / (1 - s)) / math.pi
    return 0.0 if y < 0 else 1.0 if y > 1 else y


def build(
    lon: list[float], lat: list[float], *, radius: float = 40, extent: int = 512, min_zoom: int = 0, max_zoom: int = 16
) -> dict[int, list[Item]]:
    """Items per zoom (max_zoom + 1 = the input points) in Supercluster's data order."""
    n = len(lon)
    cur = [
        Item(_f32(lng_x(lo)), _f32(lat_y(la)), 1, i, members=[i])
        for i, (lo, la) in enumerate(zip(lon, lat, strict=True))
    ]
    levels = {max_zoom + 1: cur}
    for z in range(max_zoom, min_zoom - 1, -1):
        r2 = (radius / (extent * 2.0**z)) ** 2
        nxt: list[Item] = []
        for i, p in enumerate(cur):
            if p.zoom <= z:
                continue
            p.zoom = z
            near = [q for q in cur if q.zoom > z and (_f32(q.x) - p.x) ** 2 + (_f32(q.y) - p.y) ** 2 <= r2]
            if not near:
                nxt.append(Item(p.x, p.y, p.num, p.ident, members=p.members))
                continue
            num = p.num + sum(q.num for q in near)
            wx = p.x * p.num + sum(q.x * q.num for q in near)
            wy = p.y * p.num + sum(q.y * q.num for q in near)
            cid = (i << 5) + (z + 1) + n
            members = list(p.members)
            for q in near:
                q.zoom = z
                q.parent = cid
                members += q.members
            p.parent = cid
            nxt.append(Item(wx / num, wy / num, num, cid, members=members))
        levels[z] = nxt
        cur = nxt
    return levels
