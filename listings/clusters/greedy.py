"""One zoom level of Supercluster's greedy clustering, vectorised.

Supercluster walks the points in order; an unvisited point becomes a *center* and swallows
every unvisited point within ``r`` (its KD-tree ``within`` query). Unrolled, that is:

* a point is a center iff no center with a smaller index lies within ``r`` of it, i.e. the
  centers are the lexicographically-first maximal independent set of the "within r" graph;
* a non-center belongs to the smallest-index center within ``r`` of it.

The first set is computed in rounds (every undecided point none of whose smaller neighbours is
undecided becomes a center, and the centers' neighbours are then decided): the same answer as
the sequential loop, with numpy doing each round over all edges at once. For points in no
particular spatial order the number of rounds is logarithmic (Blelloch, Fineman & Shun, "Greedy
sequential maximal independent set and matching are parallel on average", SPAA 2012), which is
why the index feeds points in a scrambled order rather than sorted by location.

"Within r" is asymmetric in the last bit exactly as in Supercluster: the query point is the
float64 coordinate of the (earlier) center and the candidate is its float32 KD-tree copy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# The forward half of the 3x3 neighbourhood: every unordered pair of cells is visited once.
_FORWARD = ((1, -1), (1, 0), (1, 1), (0, 1))


def _expand(starts: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each i, the indices starts[i] .. starts[i]+counts[i]-1, with their owner i."""
    total = int(counts.sum())
    owner = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    first = np.cumsum(counts) - counts
    pos = np.arange(total, dtype=np.int64) - first[owner] + starts[owner]
    return owner, pos


def neighbour_pairs(
    x: np.ndarray, y: np.ndarray, x32: np.ndarray, y32: np.ndarray, r: float
) -> tuple[np.ndarray, np.ndarray]:
    """All (a, b) with a < b and |(x32[b], y32[b]) - (x[a], y[a])| <= r, via a grid of cell r."""
    n = len(x)
    if n < 2:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    cell = r * (1 + 1e-9) + 1e-15  # a hair above r: neighbours are never two cells apart
    cx = np.floor(x / cell).astype(np.int64)
    cy = np.floor(y / cell).astype(np.int64)
    span = int(cy.max()) + 3
    key = cx * span + (cy + 1)
    order = np.argsort(key)
    skey = key[order]
    # skey is sorted: cell boundaries are where it changes (np.unique would sort again).
    ustart = np.flatnonzero(np.concatenate(([True], skey[1:] != skey[:-1])))
    ucell = skey[ustart]
    ucount = np.diff(np.append(ustart, n))
    cell_of = np.repeat(np.arange(len(ucell)), ucount)  # per sorted position

    owners: list[np.ndarray] = []
    others: list[np.ndarray] = []
    # Same cell: each point with the points after it in that cell.
    pos = np.arange(n)
    after = ustart[cell_of] + ucount[cell_of] - pos - 1
    o, p = _expand(pos + 1, after)
    owners.append(o)
    others.append(p)
    for dx, dy in _FORWARD:
        target = ucell + dx * span + dy
        j = np.searchsorted(ucell, target)
        j_ok = (j < len(ucell)) & (ucell[np.minimum(j, len(ucell) - 1)] == target)
        start = np.where(j_ok, ustart[np.minimum(j, len(ucell) - 1)], 0)
        count = np.where(j_ok, ucount[np.minimum(j, len(ucell) - 1)], 0)
        o, p = _expand(start[cell_of], count[cell_of])
        owners.append(o)
        others.append(p)
    i = order[np.concatenate(owners)]
    j = order[np.concatenate(others)]
    a, b = np.minimum(i, j), np.maximum(i, j)
    dx_ = x32[b].astype(np.float64) - x[a]
    dy_ = y32[b].astype(np.float64) - y[a]
    near = dx_ * dx_ + dy_ * dy_ <= r * r
    return a[near], b[near]


@dataclass(frozen=True, slots=True)
class Greedy:
    centers: np.ndarray  # ascending indices of the points that start (or stay) a group
    parent: np.ndarray  # per point: index of its center (a center is its own parent)
    rounds: int


def greedy_groups(n: int, a: np.ndarray, b: np.ndarray) -> Greedy:
    """The sequential greedy grouping of points 0..n-1 given edges a < b (see module doc)."""
    UNDECIDED, CENTER, TAKEN = 0, 1, 2
    state = np.zeros(n, dtype=np.int8)
    ea, eb = a, b
    rounds = 0
    while True:
        rounds += 1
        blocked = np.zeros(n, dtype=bool)
        blocked[eb] = True  # every remaining edge has an undecided smaller end
        state[(state == UNDECIDED) & ~blocked] = CENTER
        if not len(ea):
            break
        state[eb[state[ea] == CENTER]] = TAKEN
        live = (state[ea] == UNDECIDED) & (state[eb] == UNDECIDED)
        ea, eb = ea[live], eb[live]
    is_center = state == CENTER
    parent = np.arange(n, dtype=np.int64)
    taken = is_center[a] & ~is_center[b]
    if taken.any():
        first = np.full(n, n, dtype=np.int64)
        np.minimum.at(first, b[taken], a[taken])  # the smallest center wins, as in the loop
        absorbed = ~is_center
        parent[absorbed] = first[absorbed]
    return Greedy(centers=np.flatnonzero(is_center), parent=parent, rounds=rounds)
