"""Guest search from memory: every rental home's searchable fields and a night-by-night "taken"
bitmap (numpy), per process, kept fresh from the database's change log.

Why: a dates + guests + map search over a valley-wide box asked PostgreSQL to probe the blocks
of every home in the box (thousands of index probes, ~30 ms and more under load), where the
bitmap answers "is any night of the stay taken?" for every home at once in well under a
millisecond (docs/benchmarks.md, the rentals row).

Freshness: triggers on ``rentals_property`` and ``rentals_calendarblock`` write the id of every
home whose fields or blocks change to ``rentals_availabilitychange`` with the writing
transaction's id (migration 0004), in the same transaction, so a change becomes visible with
the data it describes. Before each search the index reads the log rows of transactions at or
after the oldest transaction still running at its last look (``pg_current_snapshot()``), so a
change committed late is still seen, skips the rows it applied already, and re-reads those homes
and their blocks. A home count that disagrees with the database (a transaction the index read
was rolled back, a table truncated), a new day, or a process that has not looked for
``STALE_AFTER_S`` rebuild from scratch. The log is pruned after ``LOG_KEEP`` (``log_prune``).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db import connection
from django.utils import timezone

from rentals.models import Amenity, Property

HORIZON_DAYS = 731  # nights from yesterday covered by the bitmap; stays beyond go to SQL
STALE_AFTER_S = 600.0
LOG_KEEP = dt.timedelta(hours=1)
AMENITY_BIT = {code: 1 << i for i, code in enumerate(Amenity.values)}
HOME_FIELDS = (
    "id",
    "status",
    "latitude",
    "longitude",
    "sleeps",
    "nightly_rate_cents",
    "min_nights",
    "amenities",
    "city_slug",
    "slug",
    "title",
)


def _amenity_mask(codes: Any) -> int:
    mask = 0
    for code in codes or ():
        mask |= AMENITY_BIT.get(code, 1 << 62)  # unknown codes never match a known filter
    return mask


@dataclass
class Snapshot:
    """The columns of every home (row i is home ``ids[i]``) and its taken nights from ``base``."""

    base: dt.date
    ids: np.ndarray
    listed: np.ndarray
    lat: np.ndarray
    lng: np.ndarray
    sleeps: np.ndarray
    nightly: np.ndarray
    min_nights: np.ndarray
    amenities: np.ndarray
    city: np.ndarray
    slug: list[str]
    title: list[str]
    taken: np.ndarray  # bool, (homes, HORIZON_DAYS)
    row_of: dict[int, int] = field(default_factory=dict)

    @classmethod
    def empty(cls, base: dt.date) -> Snapshot:
        none = np.zeros(0)
        return cls(base, none.astype(np.int64), none.astype(bool), none, none, none.astype(np.int32),
                   none.astype(np.int64), none.astype(np.int32), none.astype(np.int64), none.astype(object),
                   [], [], np.zeros((0, HORIZON_DAYS), dtype=bool))  # fmt: skip

    def set_home(self, row: int, values: tuple[Any, ...]) -> None:
        pk, status, lat, lng, sleeps, nightly, min_nights, amenities, city, slug, title = values
        self.ids[row], self.listed[row] = pk, status == Property.Status.LISTED
        self.lat[row], self.lng[row], self.sleeps[row] = lat, lng, sleeps
        self.nightly[row], self.min_nights[row] = nightly, min_nights
        self.amenities[row], self.city[row] = _amenity_mask(amenities), city
        self.slug[row], self.title[row] = slug, title

    def grow(self, extra: int) -> None:
        """Room for ``extra`` more homes at the end (new homes since the build)."""
        for name in ("ids", "listed", "lat", "lng", "sleeps", "nightly", "min_nights", "amenities", "city"):
            column = getattr(self, name)
            setattr(self, name, np.concatenate([column, np.zeros(extra, dtype=column.dtype)]))
        self.slug += [""] * extra
        self.title += [""] * extra
        self.taken = np.concatenate([self.taken, np.zeros((extra, HORIZON_DAYS), dtype=bool)])

    def mark_blocks(self, rows: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> None:
        """Set the nights [start, end) of each block (day numbers from ``base``) on its row."""
        if not len(rows):
            return
        diff = np.zeros((len(self.ids), HORIZON_DAYS + 1), dtype=np.int16)
        np.add.at(diff, (rows, starts), 1)
        np.add.at(diff, (rows, ends), -1)
        self.taken |= np.cumsum(diff[:, :HORIZON_DAYS], axis=1, dtype=np.int16) > 0


def _homes(ids: list[int] | None = None) -> list[tuple[Any, ...]]:
    homes = Property.objects.all() if ids is None else Property.objects.filter(pk__in=ids)
    return list(homes.order_by("pk").values_list(*HOME_FIELDS))


def _blocks(base: dt.date, ids: list[int] | None = None) -> list[tuple[int, int, int]]:
    """(home, first night, night after the last) of every block within the horizon, in day
    numbers from ``base``, clipped to it."""
    end = base + dt.timedelta(days=HORIZON_DAYS)
    sql = (
        "SELECT property_id, GREATEST(COALESCE(lower(period), %s), %s) - %s::date,"
        " LEAST(COALESCE(upper(period), %s), %s) - %s::date"
        " FROM rentals_calendarblock WHERE period && daterange(%s, %s)"
    )
    args: list[Any] = [base, base, base, end, end, base, base, end]
    if ids is not None:
        sql += " AND property_id = ANY(%s)"
        args.append(ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        return cursor.fetchall()


def _mark(snap: Snapshot, blocks: list[tuple[int, int, int]]) -> None:
    known = [(snap.row_of[pk], a, b) for pk, a, b in blocks if pk in snap.row_of and b > a]
    if known:
        arr = np.array(known, dtype=np.int64)
        snap.mark_blocks(arr[:, 0], arr[:, 1], arr[:, 2])


def snapshot_build(*, base: dt.date) -> Snapshot:
    homes = _homes()
    snap = Snapshot.empty(base)
    snap.grow(len(homes))
    for row, values in enumerate(homes):
        snap.set_home(row, values)
        snap.row_of[values[0]] = row
    _mark(snap, _blocks(base))
    return snap


def snapshot_patch(snap: Snapshot, ids: list[int]) -> None:
    """Re-read these homes and their blocks (new ones appended; deleted ones unlisted)."""
    homes = {values[0]: values for values in _homes(ids)}
    new = [pk for pk in homes if pk not in snap.row_of]
    if new:
        first = len(snap.ids)
        snap.grow(len(new))
        for offset, pk in enumerate(new):
            snap.row_of[pk] = first + offset
    for pk in ids:
        row = snap.row_of.get(pk)
        if row is None:
            continue
        snap.taken[row] = False
        if pk in homes:
            snap.set_home(row, homes[pk])
        else:  # deleted: its row stays, never matching
            snap.listed[row] = False
            del snap.row_of[pk]
    _mark(snap, _blocks(snap.base, ids))


class AvailabilityIndex:
    """The process's snapshot and what it has read of the change log."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.snap: Snapshot | None = None
        self.since_xmin = 0
        self.applied: set[int] = set()
        self.checked_at = 0.0
        # Read inside a transaction: it may hold that transaction's writes, which a rollback
        # takes back without a log row to say so; until rebuilt, each look counts the homes.
        self.unsure = False

    def reset(self) -> None:
        with self.lock:
            self.snap = None

    def _poll(self) -> tuple[int | None, int, list[tuple[int, int]]]:
        """(homes in the database when unsure, the oldest running transaction, log rows to read)."""
        count = "(SELECT count(*) FROM rentals_property)" if self.unsure else "NULL"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {count}, pg_snapshot_xmin(pg_current_snapshot())::text::bigint,"
                " ARRAY(SELECT ARRAY[id, property_id] FROM rentals_availabilitychange WHERE xact >= %s)",
                [self.since_xmin],
            )
            homes, xmin, rows = cursor.fetchone()
        return homes, int(xmin), [(int(r[0]), int(r[1])) for r in rows]

    def current(self) -> Snapshot:
        """The snapshot, brought up to date with the database (call under ``lock``)."""
        homes, xmin, rows = self._poll()
        base = timezone.localdate() - dt.timedelta(days=1)
        fresh = [(pk, home) for pk, home in rows if pk not in self.applied]
        snap = self.snap
        rebuild = snap is None or snap.base != base or time.monotonic() - self.checked_at > STALE_AFTER_S
        rebuild = rebuild or any(home == 0 for _, home in fresh)  # a table was truncated
        if snap is not None and not rebuild and fresh:
            snapshot_patch(snap, sorted({home for _, home in fresh}))
        if snap is None or rebuild or (homes is not None and len(snap.row_of) != homes):
            snap, self.unsure = snapshot_build(base=base), False
        self.unsure = self.unsure or connection.in_atomic_block
        # Rows older than the oldest running transaction are never read again.
        self.applied = {pk for pk, _ in rows}
        self.snap, self.since_xmin, self.checked_at = snap, xmin, time.monotonic()
        return snap


index = AvailabilityIndex()


def warm_in_background() -> threading.Thread:
    """Build the process's index now (a gunicorn worker, right after the fork), so the first
    search does not wait the second or so it takes for 10,000 homes."""

    def run() -> None:
        from django.conf import settings
        from django.db import connections

        if not settings.RENTALS_SEARCH_INDEX:
            return

        try:
            with index.lock:
                index.current()
        except Exception:  # the first search builds it again and reports
            logging.getLogger(__name__).exception("rental search index warm-up failed")
        finally:
            connections.close_all()  # this thread's own connection

    thread = threading.Thread(target=run, name="rentals-index-warm", daemon=True)
    thread.start()
    return thread


def matching_rows(snap: Snapshot, params: Any) -> np.ndarray | None:
    """Rows of the listed homes matching ``params`` (``rentals.selectors.SearchParams``) with
    every night of the stay free, ordered by nightly rate then id; None when the stay is
    outside the bitmap's horizon (the caller asks SQL)."""
    m = snap.listed & (snap.sleeps >= params.guests)
    if params.min_price_cents is not None:
        m &= snap.nightly >= params.min_price_cents
    if params.max_price_cents is not None:
        m &= snap.nightly <= params.max_price_cents
    if params.amenities:
        wanted = _amenity_mask(params.amenities)
        m &= (snap.amenities & wanted) == wanted
    if params.city_slug:
        m &= snap.city == params.city_slug
    if params.bbox:
        west, south, east, north = params.bbox
        m &= (snap.lat >= south) & (snap.lat <= north) & (snap.lng >= west) & (snap.lng <= east)
    if params.check_in and params.check_out:
        first, last = (params.check_in - snap.base).days, (params.check_out - snap.base).days
        if first < 0 or last > HORIZON_DAYS or last <= first:
            return None
        m &= snap.min_nights <= last - first
        rows = np.flatnonzero(m)
        rows = rows[~snap.taken[rows, first:last].any(axis=1)]
    else:
        rows = np.flatnonzero(m)
    return rows[np.lexsort((snap.ids[rows], snap.nightly[rows]))]


def markers(snap: Snapshot, rows: np.ndarray) -> list[dict[str, Any]]:
    return [
        {
            "id": int(snap.ids[r]),
            "slug": snap.slug[r],
            "title": snap.title[r],
            "lat": float(snap.lat[r]),
            "lng": float(snap.lng[r]),
            "nightly_cents": int(snap.nightly[r]),
        }
        for r in rows.tolist()
    ]


def log_prune(*, now: dt.datetime | None = None) -> int:
    """Drop change-log rows older than ``LOG_KEEP`` (a process that has not looked for
    ``STALE_AFTER_S`` rebuilds rather than read them)."""
    from rentals.models import AvailabilityChange

    deleted, _ = AvailabilityChange.objects.filter(created_at__lt=(now or timezone.now()) - LOG_KEEP).delete()
    return deleted
