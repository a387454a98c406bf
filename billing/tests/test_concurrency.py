"""Concurrency against real PostgreSQL: committed data, one connection per thread.

These tests step outside pytest-django's per-test transaction (other connections could not
see uncommitted rows) and clean up after themselves instead of flushing the database, which
would also drop the session's sites."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from billing.models import Subscription, UsageCounter, WebhookEvent
from billing.selectors import billing_context_get
from billing.services import usage_consume
from billing.tests.conftest import WEBHOOK_SECRET
from conftest import in_own_thread
from devtools.stripe.webhooks import sign

THREADS = 50


@pytest.fixture
def committed_user(django_db_setup: None, django_db_blocker: Any) -> Iterator[Any]:
    from accounts.models import User

    def cleanup(user: Any) -> None:
        WebhookEvent.objects.filter(payload__data__object__metadata__user_id=str(user.pk)).delete()
        UsageCounter.objects.filter(user=user).delete()
        Subscription.objects.filter(user=user).delete()
        # Not ``user.delete()``: its cascade would look for site-only (Wagtail) tables in the
        # public schema.
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {User._meta.db_table} WHERE id = %s", [user.pk])

    with django_db_blocker.unblock():
        user = in_own_thread(lambda: User.objects.create_user(email=f"race-{uuid.uuid4().hex[:8]}@example.com"))
        try:
            yield user
        finally:
            in_own_thread(lambda: cleanup(user))


def _race(fn: Callable[[], Any], n: int = THREADS) -> list[Any]:
    barrier = threading.Barrier(n)

    def run(_: int) -> Any:
        try:
            barrier.wait()
            return fn()
        finally:
            connection.close()  # each worker thread has its own connection

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))


@pytest.mark.parametrize("already_used", [0, 7], ids=["no-counter-yet", "three-left"])
def test_50_concurrent_requests_at_the_limit_never_overshoot(
    committed_user: Any, already_used: int, django_db_blocker: Any
) -> None:
    limit = 10  # Free plan chat messages

    def preload() -> None:
        ctx = billing_context_get(user=committed_user)
        UsageCounter.objects.create(
            subject=f"u:{committed_user.pk}",
            user=committed_user,
            metric="chat_messages",
            period_start=ctx.period_start,
            period_end=ctx.period_end,
            used=already_used,
        )

    with django_db_blocker.unblock():
        if already_used:
            in_own_thread(preload)
        results = _race(lambda: usage_consume(user=committed_user, feature="chat_messages").allowed)
        used = in_own_thread(lambda: UsageCounter.objects.get(user=committed_user, metric="chat_messages").used)
    assert sum(results) == limit - already_used
    assert used == limit


def test_concurrent_duplicate_deliveries_are_handled_once(
    committed_user: Any, settings: Any, django_db_blocker: Any
) -> None:
    from tenants.models import Tenant

    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    now = int(time.time())
    sub = {
        "id": f"sub_race{uuid.uuid4().hex[:12]}",
        "object": "subscription",
        "customer": "cus_race",
        "status": "active",
        "cancel_at_period_end": False,
        "canceled_at": None,
        "ended_at": None,
        "metadata": {"schema": "public", "user_id": str(committed_user.pk), "plan": "pro"},
        "items": {
            "object": "list",
            "data": [
                {
                    "id": "si_race",
                    "current_period_start": now,
                    "current_period_end": now + 30 * 86400,
                    "price": {"id": "price_race", "lookup_key": "chatrealty_pro_monthly"},
                }
            ],
        },
    }
    event = {
        "id": f"evt_race{uuid.uuid4().hex[:12]}",
        "object": "event",
        "created": now,
        "type": "customer.subscription.created",
        "data": {"object": sub},
    }
    payload = json.dumps(event)
    with django_db_blocker.unblock():
        host = in_own_thread(lambda: Tenant.objects.get(schema_name="public").get_primary_domain().domain)

    def deliver() -> bool:
        response = Client(HTTP_HOST=host).post(
            "/billing/webhook/",
            data=payload,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=sign(payload.encode(), secret=WEBHOOK_SECRET),
        )
        assert response.status_code == 200, response.content
        return json.loads(response.content)["duplicate"]

    with django_db_blocker.unblock():
        results = _race(deliver, n=10)
        counts = in_own_thread(
            lambda: (
                Subscription.objects.filter(user=committed_user).count(),
                WebhookEvent.objects.filter(event_id=event["id"]).count(),
            )
        )
    assert results.count(False) == 1
    assert counts == (1, 1)
