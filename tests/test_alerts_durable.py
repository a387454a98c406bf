"""Alerts survive their consumer being down: a real incremental sync against the fake Spark
hands its change event to the broker while no Celery worker runs; once a real worker starts,
every price drop is recorded and mailed through a real SMTP server, once.

Committed data, one connection per thread (the worker is another thread): these tests step
outside pytest-django's per-test transaction and clean up after themselves."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import redis
import requests
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings
from django_tenants.utils import schema_context

from config.celery import app as celery_app
from conftest import fake_spark_feed, in_own_thread
from devtools.spark.feed import FEED_NOW
from tests.smtp_server import smtp_server

EMAIL = "durable-alerts@example.com"


@pytest.fixture
def feed(settings: Any) -> Iterator[str]:
    """A fake Spark feed of one source, and a store database of this test's own."""
    with fake_spark_feed(settings, seed=23, sizes={"gps": (240, 40)}, name="alerts_durable") as url:
        yield url


@pytest.fixture
def broker_queue() -> Iterator[redis.Redis]:
    """Real broker messages (not eager tasks), on this checkout's Redis, default queue emptied."""
    client = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    client.delete("celery")
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield client
    celery_app.conf.task_always_eager = before
    client.delete("celery")


def _advance(url: str, *, percent: float, hours: float) -> dict[str, Any]:
    response = requests.post(f"{url}/_control/advance", json={"percent": percent, "hours": hours}, timeout=30)
    response.raise_for_status()
    return response.json()


def _saved_search(site: Any) -> Any:
    from accounts.models import User
    from listings.models import SavedSearch

    with schema_context(site.schema_name):
        user = User.objects.create_user(email=EMAIL, password="a-long-enough-pass-2026")
        return SavedSearch.objects.create(user=user, name="Everything in the valley", query={}, frequency="instant")


def _cleanup(site: Any) -> None:
    from accounts.models import User
    from listings.models import AlertSent, SavedSearch

    with schema_context(site.schema_name):
        AlertSent.objects.filter(saved_search__user__email=EMAIL).delete()
        SavedSearch.objects.filter(user__email=EMAIL).delete()
        User.objects.filter(email=EMAIL).delete()


def _alerts(site: Any) -> list[tuple[str, str, bool]]:
    from listings.models import AlertSent

    with schema_context(site.schema_name):
        rows = AlertSent.objects.filter(saved_search__user__email=EMAIL)
        return [(a.listing_key, a.kind, a.sent_at is not None) for a in rows]


def test_alerts_wait_in_the_broker_while_no_worker_runs(
    settings: Any, feed: str, broker_queue: redis.Redis, django_db_setup: None, django_db_blocker: Any
) -> None:
    from listings.store import get_db
    from mls_sync.services import sync_run_start
    from tenants.models import Tenant

    with django_db_blocker.unblock(), smtp_server(settings) as inbox:
        site = in_own_thread(lambda: Tenant.objects.get(slug="sarah"))
        in_own_thread(lambda: _cleanup(site))
        try:
            # The feed's clock to now, the store loaded, then the buyer saves a search.
            _advance(feed, percent=0, hours=max(0.0, (datetime.now(UTC).timestamp() - FEED_NOW) / 3600))
            celery_app.conf.task_always_eager = True  # the initial load's event: nothing to alert yet
            in_own_thread(lambda: sync_run_start(source="gps", mode="full"))
            celery_app.conf.task_always_eager = False
            in_own_thread(lambda: _saved_search(site))
            # The saved search is a lead for the agent too: its notice waits in the broker as well.
            queued = broker_queue.llen("celery")
            changes = _advance(feed, percent=25, hours=1)

            run = in_own_thread(lambda: sync_run_start(source="gps", mode="incremental"))
            assert run.status == "ok" and run.updated > 0
            # No worker: the event waits in the broker, nothing is recorded or sent yet.
            assert broker_queue.llen("celery") == queued + 1
            assert in_own_thread(lambda: _alerts(site)) == [] and inbox.messages == []

            with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline and not (inbox.to(EMAIL) and broker_queue.llen("celery") == 0):
                    time.sleep(0.2)
                time.sleep(1.0)  # anything late would show up now

            alerts = in_own_thread(lambda: _alerts(site))
            live = {d["listingKey"] for d in get_db()["listings"].find({}, {"listingKey": 1})}
            dropped = set(changes["gps"]["price_drop"]) & live
            assert dropped, "the feed changed no live listing's price"
            # Every price cut fired an alert, and every alert is about a listing the sync changed.
            assert dropped <= {k for k, kind, _ in alerts if kind == "price_drop"}
            assert {k for k, _, _ in alerts} <= {
                k for keys in changes["gps"].values() if isinstance(keys, list) for k in keys
            }
            assert all(sent for _, _, sent in alerts)
            assert len(inbox.to(EMAIL)) == 1  # one instant mail for the search's batch
        finally:
            in_own_thread(lambda: _cleanup(site))
