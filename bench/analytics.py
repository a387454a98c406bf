"""Benchmark: analytics (issue 15).

    .venv/bin/python -m bench.analytics [--events 1000000] [--requests 400] [--dashboards 30]
    make bench BENCH=analytics

1. ``event_overhead_ms``: the added p95 time of a page view (Sarah's /about/ page through the
   whole Django stack in process, production settings) with event recording on versus off.
   Requests alternate on/off so both see the same machine; the figure is p95(on) - p95(off).
   ``event_record_p95_ms`` is the recording step alone as page views do it (bot check, visitor
   hash, hand-off to the process's shipper, which pushes to Redis from its own thread).
2. ``dashboard_year_p95_ms``: Sarah's dashboard over 365 days (``GET /analytics/?days=365`` as
   her owner, the full page with its charts) with ``--events`` events on the site, rolled up by
   day. The events are written once (kept for later runs, keyed ``bench-*``).

Uses the benchmark database (``bench._common``); writes ``bench/results/analytics.json``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import apply_bench_env, bench_env, demo_database_ensure, write_results  # noqa: E402
from bench.server import static_collected  # noqa: E402

HOST = "sarah.localhost"
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def _events_ensure(schema: str, count: int) -> None:
    """``count`` events over the last 365 days in ``schema`` (SQL generate_series: seconds),
    then each day rolled up."""
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from analytics.services import rollup_day

    with schema_context(schema):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM analytics_event WHERE uid LIKE 'bench-%%'")
            have = cursor.fetchone()[0]
            if have == count:
                return
            cursor.execute("DELETE FROM analytics_event WHERE uid LIKE 'bench-%%'")
            started = time.perf_counter()
            cursor.execute(
                """
                INSERT INTO analytics_event (kind, at, visitor, key, uid)
                SELECT (ARRAY['page_view','page_view','listing_view','listing_view','search','swipe',
                              'favorite','chat_message','lead','sign_up'])[1 + i %% 10],
                       now() - (i %% 365) * interval '1 day' - (i %% 86000) * interval '1 second',
                       substr(md5((i %% 40000)::text || (i %% 365)::text), 1, 16),
                       CASE WHEN i %% 10 IN (2, 3) THEN 'bench-listing-' || (i %% 500)
                            WHEN i %% 10 = 4 THEN 'city=Bench' || (i %% 40)
                            WHEN i %% 10 = 8 THEN (ARRAY['chat','cma','contact_form'])[1 + i %% 3]
                            ELSE '' END,
                       'bench-' || i
                FROM generate_series(1, %s) AS i
                """,
                [count],
            )
            print(f"inserted {count} events in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        started = time.perf_counter()
        today = timezone.localdate()
        for back in range(367):
            rollup_day(day=today - timedelta(days=back))
        print(f"rolled up 367 days in {time.perf_counter() - started:.1f} s", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--dashboards", type=int, default=30)
    parser.add_argument("--skip-setup", action="store_true", help="the benchmark database is set up already")
    args = parser.parse_args()

    if not args.skip_setup:
        demo_database_ensure()
    # Pages render with the production static manifest (collected once per change of the sources).
    os.environ["BENCH_STATIC_ROOT"] = str(static_collected(bench_env()))
    apply_bench_env()
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from django_tenants.utils import schema_context

    from accounts.models import Role, User
    from analytics.recorder import queue_key, record_request, redis
    from tenants.models import Tenant

    settings.ALLOWED_HOSTS = ["*"]
    site = Tenant.objects.get(slug="sarah")
    client = Client(HTTP_HOST=HOST, HTTP_USER_AGENT=BROWSER_UA)

    # 1. a page view with recording on versus off, alternating
    timings: dict[bool, list[float]] = {True: [], False: []}
    for i in range(args.requests + 40):
        on = i % 2 == 0
        settings.ANALYTICS_ENABLED = on
        started = time.perf_counter()
        response = client.get("/about/")
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.status_code
        if i >= 40:  # warm-up not counted
            timings[on].append(elapsed)
    settings.ANALYTICS_ENABLED = True
    factory_request = client.get("/about/").wsgi_request
    record_times = []
    with schema_context(site.schema_name):
        for _ in range(2000):
            started = time.perf_counter()
            record_request(factory_request, kind="page_view", key="/bench/", buffered=True)
            record_times.append((time.perf_counter() - started) * 1000)
    from analytics.shipper import shipper

    shipper.flush()
    redis().delete(queue_key())

    # 2. the dashboard over a year with the events on the site
    _events_ensure(site.schema_name, args.events)
    with schema_context(site.schema_name):
        owner = User.objects.filter(role=Role.AGENT, is_superuser=True).order_by("pk").first()
        assert owner is not None
        client.force_login(owner)
    dashboard = []
    for i in range(args.dashboards + 3):
        started = time.perf_counter()
        response = client.get("/analytics/?days=365")
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.status_code
        if i >= 3:
            dashboard.append(elapsed)

    write_results(
        "analytics",
        {
            "event_overhead_ms": round(max(p95(timings[True]) - p95(timings[False]), 0.0), 3),
            "page_view_p95_on_ms": round(p95(timings[True]), 3),
            "page_view_p95_off_ms": round(p95(timings[False]), 3),
            "event_record_p95_ms": round(p95(record_times), 4),
            "dashboard_year_p95_ms": round(p95(dashboard), 2),
            "dashboard_events": args.events,
        },
    )


if __name__ == "__main__":
    main()
