"""Analytics through the real stack: pages queue events in Redis, the flush writes them to the
right site once each, rollups feed the dashboard, privacy rules hold."""

from __future__ import annotations

import threading
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from analytics import selectors
from analytics.models import DailyRollup, DailyVisitors, Event, Kind
from analytics.recorder import queue_key, record, redis
from analytics.services import events_flush, rollup_day
from analytics.shipper import shipper

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"


@pytest.fixture(autouse=True)
def _empty_queue() -> None:
    redis().delete(queue_key())


def test_page_views_are_queued_then_flushed_into_their_site(sarah_site: Any, mike_site: Any, site_client: Any) -> None:
    sarah = site_client(sarah_site)
    assert sarah.get("/", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="203.0.113.7").status_code == 200
    sarah.get("/", HTTP_USER_AGENT="Googlebot/2.1 (+http://www.google.com/bot.html)")
    sarah.get("/", HTTP_USER_AGENT=BROWSER, HTTP_DNT="1")
    sarah.get("/", HTTP_USER_AGENT=BROWSER, HTTP_SEC_GPC="1")
    sarah.get("/crm/", HTTP_USER_AGENT=BROWSER)  # the agent's own pages are not counted
    shipper.flush()  # page views reach Redis from the process's shipper thread
    assert redis().llen(queue_key()) == 3  # the bot is left out
    with schema_context(sarah_site.schema_name):
        assert not Event.objects.filter(kind=Kind.PAGE_VIEW).exists()  # nothing written on the request path
    assert events_flush() == 3
    with schema_context(sarah_site.schema_name):
        views = list(Event.objects.filter(kind=Kind.PAGE_VIEW).values_list("visitor", flat=True))
        assert len(views) == 3
        hashed = [v for v in views if v]
        assert len(hashed) == 1 and "203.0.113.7" not in hashed[0] and len(hashed[0]) == 16
        with connection.cursor() as cursor:  # the address is nowhere in the table
            cursor.execute("SELECT count(*) FROM analytics_event WHERE visitor LIKE %s OR key LIKE %s", ["%203.0%"] * 2)
            assert cursor.fetchone()[0] == 0
        today = DailyRollup.objects.get(day=timezone.localdate(), kind=Kind.PAGE_VIEW, key="")
        assert today.count == 3 and today.visitors == 1
    with schema_context(mike_site.schema_name):
        assert not Event.objects.filter(kind=Kind.PAGE_VIEW).exists()


def test_events_are_counted_once_under_concurrent_flushes(sarah_site: Any) -> None:
    """Four workers flush one queue at once; every event lands exactly once. The workers use
    their own database connections (committed writes), so the test cleans up after itself."""
    for i in range(3000):
        record(schema_name=sarah_site.schema_name, kind=Kind.SWIPE, key=f"CONC{i % 7}")
    counts: list[int] = []

    def work() -> None:
        try:
            counts.append(events_flush())
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seen: list[int] = []

    def check_and_clean() -> None:
        try:
            with schema_context(sarah_site.schema_name):
                seen.append(Event.objects.filter(key__startswith="CONC").count())
                Event.objects.filter(key__startswith="CONC").delete()
                # The flush rolled today up on the committed side: leave no rows behind.
                DailyRollup.objects.filter(day=timezone.localdate()).delete()
                DailyVisitors.objects.filter(day=timezone.localdate()).delete()
        finally:
            connection.close()

    cleaner = threading.Thread(target=check_and_clean)
    cleaner.start()
    cleaner.join()
    assert sum(counts) == 3000 and seen == [3000]


def test_funnel_on_a_constructed_history(sarah_site: Any) -> None:
    from leads.models import Lead
    from leads.services import lead_create

    day = timezone.localdate() - timedelta(days=3)
    at = datetime.combine(day, time(12), tzinfo=timezone.get_current_timezone())
    with schema_context(sarah_site.schema_name):
        history = [
            ("a", Kind.PAGE_VIEW, ""),
            ("a", Kind.LISTING_VIEW, "1-palm-way"),
            ("a", Kind.LISTING_VIEW, "1-palm-way"),
            ("b", Kind.PAGE_VIEW, ""),
            ("b", Kind.SEARCH, "city=Indio"),
            ("c", Kind.PAGE_VIEW, ""),
            ("d", Kind.PAGE_VIEW, ""),
            ("", Kind.PAGE_VIEW, ""),
        ]
        Event.objects.bulk_create(
            Event(kind=k, key=key, visitor=v, at=at, uid=f"funnel{i}") for i, (v, k, key) in enumerate(history)
        )
        leads = [
            lead_create(source=s, email=f"f{i}@example.com", notify=False)
            for i, s in enumerate(["chat", "cma", "chat"])
        ]
        Lead.objects.filter(pk__in=[x.pk for x in leads]).update(created_at=at)
        Lead.objects.filter(pk=leads[0].pk).update(status="showing")
        Lead.objects.filter(pk=leads[1].pk).update(status="closed")
        rollup_day(day=day)
        period = selectors.Period(start=day, end=day)
        assert selectors.funnel(period=period) == [
            ("Visits", 4),
            ("Engaged", 2),
            ("Leads", 3),
            ("Clients", 2),
            ("Closed", 1),
        ]
        assert selectors.top_keys(period=period, kind=Kind.LISTING_VIEW) == [("1-palm-way", 2)]
        assert dict(selectors.leads_by_source(period=period)) == {"AI assistant": 2, "CMA request": 1}
        series = selectors.daily_series(period=period)
        assert series[0]["page_views"] == 8 and series[0]["listing_views"] == 2


def test_dashboard_pages_and_access(
    sarah_site: Any, public_tenant: Any, client_as: Any, owner_of: Any, make_user: Any
) -> None:
    owner = client_as(sarah_site, owner_of(sarah_site))
    page = owner.get("/analytics/?days=7")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="chart-visitors"' in html and 'data-testid="chart-funnel"' in html and "<table" in html
    csv = owner.get("/analytics/export.csv?days=7")
    assert csv["Content-Type"].startswith("text/csv") and csv.content.decode().startswith("day,visitors")
    visitor = client_as(sarah_site, make_user(sarah_site, "curious@example.com"))
    assert visitor.get("/analytics/").status_code == 403
    assert client_as(sarah_site, None).get("/analytics/").status_code == 302
    from accounts.models import Role

    admin = make_user(public_tenant, "padmin@example.com", role=Role.ADMIN)
    network = client_as(public_tenant, admin).get("/platform/analytics/")
    assert network.status_code == 200 and sarah_site.name.encode() in network.content
    agent = make_user(public_tenant, "net-agent@example.com", role=Role.AGENT, license_number="1", brokerage="b")
    assert client_as(public_tenant, agent).get("/platform/analytics/").status_code == 403
