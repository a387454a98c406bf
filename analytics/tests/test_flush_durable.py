"""No event is lost or counted twice when the database fails during a flush: the batch goes
back to the queue, and the retry inserts only what was not committed."""

from __future__ import annotations

import socket
import threading
from typing import Any

import pytest
from django.db import DatabaseError, OperationalError, connection
from django_tenants.utils import schema_context

from analytics import services
from analytics.models import Event, Kind
from analytics.queue import batch_claim, inflight_key, pending_count, stale_requeue
from analytics.recorder import queue_key, record, redis


@pytest.fixture(autouse=True)
def _empty_queue() -> None:
    conn = redis()
    conn.delete(queue_key(), *conn.zrange(inflight_key(), 0, -1), inflight_key())


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _count(schema: str, prefix: str) -> int:
    with schema_context(schema):
        return Event.objects.filter(key__startswith=prefix).count()


def test_database_down_during_the_flush_loses_nothing(sarah_site: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The flusher's connection is pointed at a closed port after it has read the sites, so the
    insert of the claimed batch really fails to connect."""
    for i in range(120):
        record(schema_name=sarah_site.schema_name, kind=Kind.SWIPE, key=f"DOWN{i}")
    sites = services._known_schemas

    def sites_then_database_down() -> set[str]:
        known = sites()
        connection.close()
        connection.settings_dict = {**connection.settings_dict, "HOST": "127.0.0.1", "PORT": str(_closed_port())}
        return known

    errors: list[BaseException] = []

    def work() -> None:
        try:
            services.events_flush()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    monkeypatch.setattr(services, "_known_schemas", sites_then_database_down)
    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    assert len(errors) == 1 and isinstance(errors[0], OperationalError)
    assert redis().llen(queue_key()) == 120 and pending_count() == 120  # all back in the queue
    monkeypatch.undo()
    assert services.events_flush() == 120  # the database is back
    assert _count(sarah_site.schema_name, "DOWN") == 120 and pending_count() == 0


def test_a_batch_failing_half_way_is_retried_without_doubles(
    sarah_site: Any, mike_site: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sarah's part commits, Mike's insert raises: the whole batch is re-queued and the retry
    writes Mike's events while Sarah's (same ids) insert nothing."""
    for i in range(50):
        record(schema_name=sarah_site.schema_name, kind=Kind.SWIPE, key=f"HALF{i}")
        record(schema_name=mike_site.schema_name, kind=Kind.SWIPE, key=f"HALF{i}")
    write = services._write

    def failing_for_mike(schema: str, events: list[Event]) -> None:
        if schema == mike_site.schema_name:
            raise DatabaseError("insert failed")
        write(schema, events)

    monkeypatch.setattr(services, "_write", failing_for_mike)
    with pytest.raises(DatabaseError):
        services.events_flush()
    assert _count(sarah_site.schema_name, "HALF") == 50 and _count(mike_site.schema_name, "HALF") == 0
    assert redis().llen(queue_key()) == 100
    monkeypatch.undo()
    services.events_flush()
    assert _count(sarah_site.schema_name, "HALF") == 50 and _count(mike_site.schema_name, "HALF") == 50
    assert pending_count() == 0


def test_a_flusher_that_died_before_acknowledging(sarah_site: Any) -> None:
    for i in range(30):
        record(schema_name=sarah_site.schema_name, kind=Kind.SWIPE, key=f"DIED{i}")
    claimed = batch_claim(size=20)  # the process dies here: never acknowledged
    assert len(claimed.items) == 20 and redis().llen(queue_key()) == 10 and pending_count() == 30
    assert services.events_flush() == 10  # a live flusher's recent claim is not taken from it
    assert stale_requeue(older_than=0) == 20
    assert services.events_flush() == 20
    assert _count(sarah_site.schema_name, "DIED") == 30 and pending_count() == 0
