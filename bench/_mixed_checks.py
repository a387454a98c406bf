"""After the mixed benchmark's run (``bench/mixed.py``): did every change the feed made reach the
store, every web worker's read model and the saved-search alerts?

Needs Django (the benchmark's environment must be in ``os.environ`` before the first call).
"""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import requests

from bench._faults import FakeSpark, log

BENCH_USER = "bench-mixed@example.invalid"
SITE = "mike"  # an agent site showing both MLS sources
PROBES_PER_WORKER = 2


def _django() -> None:
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def alerts_prepare() -> int:
    """A saved search on the site matching every listing, saved long ago (so every listed
    listing is "new" to it); returns its id. The benchmark user's older searches go first."""
    _django()
    from django.contrib.auth import get_user_model
    from django_tenants.utils import schema_context

    from listings.models import SavedSearch

    with schema_context(SITE):
        user = get_user_model().objects.filter(email=BENCH_USER).first()
        if user is None:
            user = get_user_model().objects.create_user(email=BENCH_USER, password=None)
        SavedSearch.objects.filter(user=user).delete()
        saved = SavedSearch.objects.create(
            user=user, name="Everything (mixed benchmark)", query={}, frequency=SavedSearch.Frequency.DAILY
        )
        SavedSearch.objects.filter(pk=saved.pk).update(created_at=datetime(2000, 1, 1, tzinfo=UTC))
        return int(saved.pk)


def sync_wait(*, db: Any, timeout: float, started: float) -> float:
    """Seconds from the load's start until both sources' incremental runs finished (NaN: never)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        states = {s["_id"]: s.get("status") for s in db["sync_state"].find({"_id": {"$regex": ":incremental$"}})}
        if len(states) >= 2 and all(v == "ok" for v in states.values()):
            return round(time.time() - started, 1)
        time.sleep(1)
    log(f"the incremental syncs did not finish within {timeout} s: {states}")
    return math.nan


def _feed_records(spark: FakeSpark, keys: set[str]) -> dict[str, dict[str, Any]]:
    """What the feed says now about each key (deleted listings are absent)."""
    from devtools.spark.feed.records import parse_listing_key
    from mls_sync.clients import SparkClient
    from mls_sync.page import Query

    out: dict[str, dict[str, Any]] = {}
    for source in ("gps", "crmls"):
        client = SparkClient(base_url=spark.url, api_key=source, user_agent="ChatRealty-bench/1.0")
        mine = sorted(k for k in keys if parse_listing_key(k)[0] == source)
        for i in range(0, len(mine), 100):
            query = Query(keys=mine[i : i + 100], expand=())
            for page in client.iter_pages(query, limit=1000):
                for rec in page.records:
                    fields = rec.get("StandardFields") or {}
                    if fields.get("ListingKey") in keys:
                        out[fields["ListingKey"]] = fields
    return out


def _timestamp(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str) and value:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return None


def _store_lost(db: Any, feed: dict[str, dict[str, Any]]) -> tuple[set[str], dict[str, dict[str, Any]]]:
    """Keys whose store record is older than the feed's (or that should have left the sites and
    did not); and the live (``listings``) records."""
    from mls_sync.lookups import OFF_MARKET, standard_status

    fields = {"_id": 0, "listingKey": 1, "modificationTimestamp": 1, "listPrice": 1, "standardStatus": 1}
    fields |= {"latitude": 1, "longitude": 1}
    live = {d["listingKey"]: d for d in db["listings"].find({"listingKey": {"$in": list(feed)}}, fields)}
    closed = {d["listingKey"]: d for d in db["closed"].find({"listingKey": {"$in": list(feed)}}, fields)}
    lost = set()
    for key, rec in feed.items():
        if standard_status(rec.get("StandardStatus")) in OFF_MARKET:  # withdrawn, expired...: off the sites
            if key in live:
                lost.add(key)
            continue
        doc = live.get(key) or closed.get(key)
        want = _timestamp(rec.get("ModificationTimestamp"))
        have = _timestamp(doc.get("modificationTimestamp")) if doc else None
        if have is None or (want is not None and have < want.replace(microsecond=0)):
            lost.add(key)
    return lost, live


def _probe(server: Any, doc: dict[str, Any], j: int) -> bool:
    """One search around the listing: it is there, with the store's price and status."""
    lat, lon, d = doc["latitude"], doc["longitude"], 0.0003
    path = f"/api/listings?bbox={lon - d:.5f},{lat - d:.5f},{lon + d:.5f},{lat + d:.5f}&pageSize={30 + j}"
    resp = requests.get(server.url(path), headers={"Host": "localhost"}, timeout=30)
    if resp.status_code != 200:
        return False
    for card in resp.json()["results"]:
        if card["key"] == doc["listingKey"]:
            price = doc.get("listPrice")
            return card["status"] == (doc.get("standardStatus") or "") and (
                price is None or card["price"] == round(price)
            )
    return False


def lost_listings(*, db: Any, server: Any, spark: FakeSpark, keys: set[str], settle_s: float = 30.0) -> int:
    """Changed listings the store or a worker's read model does not show as the feed has them."""
    _django()
    feed = _feed_records(spark, keys)
    store_lost, live = _store_lost(db, feed)
    probes = PROBES_PER_WORKER * server.workers
    checkable = [d for k, d in live.items() if k not in store_lost and d.get("latitude") is not None]
    # The sync's state reads "ok" a moment before its change event has reached every worker's
    # read model (the leader re-reads the keys and publishes a snapshot the others map): a
    # listing a worker still shows as before is asked again for up to ``settle_s``.
    pending = [(d, j) for d in checkable for j in range(probes)]
    deadline = time.time() + settle_s
    with ThreadPoolExecutor(max_workers=8) as pool:
        while True:
            answers = list(pool.map(lambda kd: _probe(server, kd[0], kd[1]), pending))
            pending = [kd for kd, ok in zip(pending, answers, strict=True) if not ok]
            if not pending or time.time() > deadline:
                break
            time.sleep(2)
    model_lost = {d["listingKey"] for d, _j in pending}
    log(
        f"changed listings: {len(keys)} ({len(keys) - len(feed)} deleted at the feed, not checked); "
        f"store behind the feed: {len(store_lost)}; read model wrong on some worker: {len(model_lost)} "
        f"of {len(checkable)} live ({probes} searches each)"
    )
    return len(store_lost | model_lost)


def _broker_busy(broker: Any) -> tuple[int, int]:
    """(messages waiting in the default queue, messages delivered to a worker and not yet
    acknowledged: tasks acknowledge late, so a task still running is counted here)."""
    return int(broker.llen("celery")), int(broker.hlen("unacked"))


def lost_events(*, saved: int, keys: set[str], redis_url: str, db: Any, timeout: float = 600.0) -> int:
    """Changes of live listings the saved search matches that never became an alert (``keys``:
    the feed's changes less its deletions, which no incremental sync sees).

    Waits until every expected alert is recorded, or until the work that could still record
    one is done: the syncs' change journal handed over (empty), no alert task waiting in the
    broker's queue or running (unacknowledged), and no new alert for 5 s. A task the killed
    worker held stays unacknowledged until the broker hands it back (``visibility_timeout``,
    300 s in config/settings/celery.py), hence the long ``timeout``."""
    _django()
    import redis
    from django_tenants.utils import schema_context

    from listings.alerts import _site_scope, changed_documents, changes_for, saved_query
    from listings.changes import JOURNAL
    from listings.models import AlertSent, SavedSearch
    from listings.readmodel.reference import matches

    broker = redis.Redis.from_url(redis_url)
    with schema_context(SITE):
        search = SavedSearch.objects.get(pk=saved)
        _tenant, sources = _site_scope(SITE)
        query = saved_query(search, mls_sources=sources)
        assert query is not None
        docs = [d for d in changed_documents(keys) if sources is None or d.get("mlsSource") in sources]
        expected = {(d["listingKey"], ch.change) for d in docs if matches(d, query) for ch in changes_for(d, search)}
        recorded: set[tuple[str, str]] = set()
        started = time.time()
        deadline, last, stable_since = started + timeout, -1, started
        while time.time() < deadline:
            recorded = set(AlertSent.objects.filter(saved_search=search).values_list("listing_key", "change"))
            if expected <= recorded:
                break
            queued, running = _broker_busy(broker)
            journaled = db[JOURNAL].count_documents({})
            if len(recorded) != last or queued or running or journaled:
                last, stable_since = len(recorded), time.time()
            elif time.time() - stable_since > 5:
                break
            time.sleep(0.5)
        queued, running = _broker_busy(broker)
    missing = expected - recorded
    log(
        f"alerts expected {len(expected)}, recorded {len(recorded & expected)}, missing {len(missing)} "
        f"(waited {time.time() - started:.0f} s; broker: {queued} queued, {running} unacknowledged; "
        f"journal entries {db[JOURNAL].count_documents({})})"
    )
    return len(missing)
