"""More than one machine (docs/scaling.md): two web servers, each with its own read-model
snapshot directory (as two hosts have), one shared store and Redis. A real incremental sync's
changes reach both (the target is 5 s; this test allows 30 s, so a loaded CI machine does not
fail it, while a host that missed the change event would wait for its next full reload), and a third server started afterwards answers exactly as they
do once it is warm.

Real gunicorn processes on the session's test database; committed data (a real sync writes
it), cleaned up afterwards."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import requests

from conftest import fake_spark_feed, in_own_thread
from tests.e2e.fixtures import _free_port, app_server, app_server_env

SYNC_WITHIN_S = 30.0  # the target is 5 s (docs/scaling.md); timing belongs to benchmarks


@pytest.fixture
def feed(settings: Any) -> Iterator[str]:
    with fake_spark_feed(settings, seed=31, sizes={"gps": (300, 30)}, name="two_hosts") as url:
        yield url


def _listed(port: int) -> dict[str, int]:
    """Every listing the flagship's search answers, key -> price (all pages)."""
    out: dict[str, int] = {}
    for page in range(1, 100):
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/listings?pageSize=100&sort=price&page={page}", headers={"Host": "localhost"}
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            results = json.loads(resp.read())["results"]
        if not results:
            break
        out.update({r["key"]: r["price"] for r in results})
    return out


def _store_prices(keys: set[str]) -> dict[str, int]:
    from listings.store import LISTINGS, get_db

    docs = get_db()[LISTINGS].find({"listingKey": {"$in": sorted(keys)}}, {"listingKey": 1, "listPrice": 1})
    return {d["listingKey"]: round(d["listPrice"]) for d in docs}


def _reflects(listed: dict[str, int], changed: set[str], store: dict[str, int]) -> bool:
    """Each changed listing as the store has it: its new price, or gone."""
    return all(listed.get(k) == store[k] if k in store else k not in listed for k in changed)


def test_a_syncs_change_reaches_both_hosts_and_a_late_host_agrees(
    settings: Any, feed: str, tmp_path: Path, django_db_setup: None, django_db_blocker: Any
) -> None:
    from mls_sync.models import SyncRun
    from mls_sync.services import sync_run_start

    started = time.time()
    with django_db_blocker.unblock(), ExitStack() as stack:
        try:
            assert in_own_thread(lambda: sync_run_start(source="gps", mode="full")).status == "ok"

            def host(name: str) -> int:
                port = _free_port()
                env = app_server_env(
                    MONGODB_TEST_DB=settings.MONGODB_DB,
                    LISTINGS_READMODEL_REFRESH="True",
                    LISTINGS_READMODEL_SNAPSHOT_DIR=str(tmp_path / name),
                    RATELIMIT_ENABLE="False",
                )
                stack.enter_context(app_server(port=port, env=env))
                return port

            a, b = host("a"), host("b")
            before = _listed(a)
            assert before and _listed(b) == before

            changes = requests.post(f"{feed}/_control/advance", json={"percent": 20, "hours": 1}, timeout=30).json()
            changed = {k for keys in changes["gps"].values() if isinstance(keys, list) for k in keys}
            run = in_own_thread(lambda: sync_run_start(source="gps", mode="incremental"))
            synced = time.monotonic()
            assert run.status == "ok" and run.updated + run.inserted + run.removed + run.moved > 0
            store = _store_prices(changed)
            seen: dict[int, float] = {}
            while len(seen) < 2 and time.monotonic() - synced < SYNC_WITHIN_S:
                for port in (a, b):
                    if port not in seen and _reflects(_listed(port), changed, store):
                        seen[port] = time.monotonic() - synced
                time.sleep(0.1)
            assert set(seen) == {a, b}, f"a host did not show the sync's changes within {SYNC_WITHIN_S} s: {seen}"

            # A host started now builds its model from the store and answers as the others do.
            c = host("c")
            after_a = _listed(a)
            assert after_a != before
            assert _listed(c) == after_a == _listed(b)
        finally:
            SyncRun.objects.filter(source="gps", started_at__gte=_aware(started)).delete()


def _aware(ts: float) -> Any:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ts, tz=UTC)
