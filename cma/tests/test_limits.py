"""CMA limits under concurrency, through the whole service (count, value, save), on real
PostgreSQL with one connection per thread (committed data, cleaned up afterwards)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from billing.models import Subscription, UsageCounter
from billing.selectors import billing_context_get
from cma.models import CmaReport
from cma.services import CmaInputs, CmaNotAllowed, cma_report_create
from conftest import in_own_thread
from listings.selectors import Scope
from listings.tests.pages_support import RICH_KEY

THREADS = 12


@pytest.fixture
def investor_1(cma_store: Any, django_db_blocker: Any) -> Iterator[Any]:
    from accounts.models import User

    def make() -> Any:
        user = User.objects.create_user(email=f"race-cma-{uuid.uuid4().hex[:8]}@example.com")
        now = timezone.now()
        Subscription.objects.create(
            user=user,
            stripe_subscription_id=f"sub_cma_{user.pk}",
            stripe_customer_id=f"cus_cma_{user.pk}",
            plan_key="investor_1",
            status="active",
            current_period_start=now - timedelta(days=1),
            current_period_end=now + timedelta(days=29),
            state_as_of=now,
        )
        ctx = billing_context_get(user=user)
        UsageCounter.objects.create(
            subject=f"u:{user.pk}",
            user=user,
            metric="cma_reports",
            period_start=ctx.period_start,
            period_end=ctx.period_end,
            used=7,
        )
        return user

    def cleanup(user: Any) -> None:
        CmaReport.objects.filter(user=user).delete()
        UsageCounter.objects.filter(user=user).delete()
        Subscription.objects.filter(user=user).delete()
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {User._meta.db_table} WHERE id = %s", [user.pk])

    with django_db_blocker.unblock():
        user = in_own_thread(make)
        try:
            yield user
        finally:
            in_own_thread(lambda: cleanup(user))


def test_concurrent_cmas_at_the_limit_never_overshoot(investor_1: Any, django_db_blocker: Any) -> None:
    barrier = threading.Barrier(THREADS)

    def one(_: int) -> str:
        try:
            barrier.wait()
            cma_report_create(user=investor_1, inputs=CmaInputs(listing=RICH_KEY), scope=Scope(), schema_name="public")
            return "made"
        except CmaNotAllowed as e:
            assert e.entitlement.remaining == 0 and e.entitlement.upgrade
            return "refused"
        finally:
            connection.close()

    with django_db_blocker.unblock():
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            outcomes = list(pool.map(one, range(THREADS)))
        used = in_own_thread(lambda: UsageCounter.objects.get(user=investor_1, metric="cma_reports").used)
        reports = in_own_thread(lambda: CmaReport.objects.filter(user=investor_1).count())
    assert outcomes.count("made") == 3 and outcomes.count("refused") == THREADS - 3
    assert used == 10 and reports == 3
