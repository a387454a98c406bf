"""The Django side: recorded runs, the per-source lock, the listings-changed event, the CLI."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
import redis
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from pymongo.database import Database

from mls_sync.clients import MlsError
from mls_sync.models import SyncRun
from mls_sync.services import CHANNEL, sync_run_start

from .conftest import SIZES, Spark

pytestmark = pytest.mark.django_db


@pytest.fixture
def configured(settings: Any, spark: Spark, store_db: Database) -> Iterator[Database]:
    """Point the MLS settings at the local server and the store at this test's database."""
    settings.MLS_SOURCES = {
        src: {
            "name": src.upper(),
            "protocol": "spark",
            "url": spark.url,
            "token": f"{src}-secret",
            "user_agent": "ChatRealty-tests/1.0",
        }
        for src in SIZES
    }
    settings.MONGODB_URI = f"mongodb://{store_db.client.address[0]}:{store_db.client.address[1]}"
    settings.MONGODB_DB = store_db.name
    settings.MLS_GEO_INDEX = False
    yield store_db


def test_run_is_recorded_and_publishes_changes(settings: Any, configured: Database) -> None:
    bus = redis.Redis.from_url(settings.REDIS_URL).pubsub()
    bus.subscribe(CHANNEL)
    bus.get_message(timeout=1)  # the subscribe confirmation
    run = sync_run_start(source="gps", mode="full")
    assert run.status == SyncRun.Status.OK
    assert run.inserted == run.fetched == sum(SIZES["gps"])
    assert SyncRun.objects.get(pk=run.pk).duration_s > 0
    message = bus.get_message(timeout=5)
    event = json.loads(message["data"])
    assert event["source"] == "gps" and event["run_id"] == run.pk
    assert len(event["changed"]) == SIZES["gps"][0] and len(event["closed"]) == SIZES["gps"][1]
    assert configured.listings.count_documents({}) == SIZES["gps"][0]


def test_second_run_of_a_source_is_skipped_while_locked(settings: Any, configured: Database) -> None:
    lock = redis.Redis.from_url(settings.REDIS_URL).lock("mls_sync:lock:crmls", timeout=30)
    assert lock.acquire(blocking=False)
    try:
        run = sync_run_start(source="crmls", mode="incremental")
    finally:
        lock.release()
    assert run.status == SyncRun.Status.SKIPPED and run.fetched == 0


def test_missing_key_is_a_configuration_error(settings: Any, configured: Database) -> None:
    settings.MLS_SOURCES = {"gps": {**settings.MLS_SOURCES["gps"], "token": ""}}
    with pytest.raises(ImproperlyConfigured):
        sync_run_start(source="gps", mode="full")


def test_failed_run_is_recorded(settings: Any, configured: Database, spark: Spark) -> None:
    spark.fault("500", 20)
    settings.MLS_SOURCES = {"gps": {**settings.MLS_SOURCES["gps"], "url": f"{spark.url}/nowhere-{uuid.uuid4().hex}"}}
    with pytest.raises(MlsError):
        sync_run_start(source="gps", mode="full")
    assert SyncRun.objects.filter(source="gps", status=SyncRun.Status.FAILED).exists()


def test_cli_prints_a_summary_line(configured: Database) -> None:
    out = StringIO()
    call_command("mls_sync", source="all", mode="full", verbosity=0, stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and all(": ok in " in line for line in lines)
    dry = StringIO()
    call_command("mls_sync", source="gps", mode="incremental", dry_run=True, verbosity=0, stdout=dry)
    assert "(dry run)" in dry.getvalue()
    idx = StringIO()
    call_command("mls_ensure_indexes", no_geo=True, stdout=idx)
    assert "slug_unique" in idx.getvalue()


def test_platform_admin_lists_every_source_with_its_last_sync(settings: Any, configured: Database) -> None:
    from django.test import Client

    from accounts.models import User
    from tenants.models import Tenant

    settings.MLS_SOURCES = {
        **settings.MLS_SOURCES,
        "desert": {
            "name": "Desert RESO MLS",
            "protocol": "reso",
            "url": "https://reso.example.com/odata/desert",
            "token_url": "https://reso.example.com/oauth2/token",
            "client_id": "id",
            "client_secret": "secret",
            "schedule": {"incremental": "15 * * * *"},
        },
        "broken": {"name": "No credentials MLS", "protocol": "reso", "url": "https://x.example.com/odata"},
    }
    run = sync_run_start(source="gps", mode="full")
    admin = User.objects.create_superuser(email="platform@example.com", password="x-pass-12345")
    client = Client(HTTP_HOST=Tenant.objects.get(schema_name="public").get_primary_domain().domain)
    client.force_login(admin)
    page = client.get("/admin/mls_sync/syncrun/").content.decode()
    assert "Desert RESO MLS" in page and "OAuth2 client credentials" in page and "15 * * * *" in page
    assert "No credentials MLS" in page and "MLS_BROKEN_TOKEN" in page  # says what to set
    assert f"/admin/mls_sync/syncrun/{run.pk}/change/" in page  # gps: its last (full) run
    assert "never" in page  # the others have not synced yet


def test_the_recovery_sweep_leaves_a_resumed_run_its_lock(
    settings: Any, configured: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dead run is resumed and its journaled keys are left to it: the sweep must not take
    the source's lock to send them, or the resumed run finds the lock taken and skips."""
    from listings.changes import JOURNAL, changes_journal
    from listings.store import SYNC_STATE
    from mls_sync.services import syncs_recover

    redis.Redis.from_url(settings.REDIS_URL).delete("mls_sync:resume:gps:incremental", "mls_sync:lock:gps")
    configured[SYNC_STATE].update_one(
        {"_id": "gps:incremental"}, {"$set": {"status": "running", "token": "t"}}, upsert=True
    )
    changes_journal(db=configured, source="gps", keys=["k1"])
    queued: list[dict[str, Any]] = []
    monkeypatch.setattr("mls_sync.tasks.mls_sync_task.apply_async", lambda **kw: queued.append(kw))
    out = syncs_recover()
    assert out["resumed"] == ["gps:incremental"] and "gps" not in out["sent"]
    assert queued == [{"kwargs": {"source": "gps", "mode": "incremental"}}]
    assert configured[JOURNAL].count_documents({"source": "gps"}) == 1  # the resumed run carries it
