"""In a real browser: Sarah opens her analytics dashboard and sees charts drawn from her
site's rollups (lines with one point per day, bars matching the table), readable as tables."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db]


def _committed(sql: str, params: list[Any]) -> None:
    """Rows the server process can see: written on a connection of their own, committed."""
    s = connection.settings_dict
    dsn = f"host={s['HOST'] or '127.0.0.1'} port={s['PORT'] or 5432} user={s['USER'] or 'postgres'} dbname={s['NAME']}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql, params)


def test_dashboard_draws_the_sites_numbers(live_site: dict[str, Any], page: Any, sarah_site: Any) -> None:
    from tenants.login_links import login_link_token

    schema = sarah_site.schema_name
    today = timezone.localdate()
    days = [today - timedelta(days=i) for i in range(7)]
    visitors = [5, 9, 2, 7, 11, 3, 6]
    try:
        for day, n in zip(days, visitors, strict=True):
            _committed(
                f'INSERT INTO "{schema}".analytics_dailyvisitors (day, visitors, engaged) VALUES (%s, %s, %s) '
                "ON CONFLICT (day) DO UPDATE SET visitors = EXCLUDED.visitors, engaged = EXCLUDED.engaged",
                [day, n, n // 2],
            )
            _committed(
                f'INSERT INTO "{schema}".analytics_dailyrollup (day, kind, key, count, visitors) '
                "VALUES (%s, 'listing_view', '', %s, 0), (%s, 'listing_view', 'e2e-home', %s, 0) "
                "ON CONFLICT (day, kind, key) DO UPDATE SET count = EXCLUDED.count",
                [day, n * 3, day, n],
            )
        owner_email = "sarah@example.com"
        token = login_link_token(schema_name=schema, email=owner_email)
        base = f"http://sarah.localhost:{live_site['port']}"
        page.goto(f"{base}/network-login/{token}/")
        page.goto(f"{base}/analytics/?days=7")
        assert page.get_by_role("heading", name="Analytics", exact=True).is_visible()
        chart = page.get_by_test_id("chart-visitors")
        assert chart.is_visible() and chart.get_attribute("role") == "img"
        points = chart.locator("polyline").get_attribute("points").split()
        assert len(points) == 7
        ys = [float(p.split(",")[1]) for p in points]
        # Oldest day first: the highest point (smallest y) is the day with 11 visitors.
        assert ys.index(min(ys)) == list(reversed(visitors)).index(11)
        assert page.get_by_test_id("total-visitors").inner_text() == str(sum(visitors))
        funnel = page.get_by_test_id("chart-funnel")
        bars = funnel.locator("g[data-value]")
        assert bars.count() == 5 and bars.first.get_attribute("data-value") == str(sum(visitors))
        table_rows = page.get_by_test_id("funnel-table").locator("tbody tr")
        assert re.sub(r"\s+", " ", table_rows.first.inner_text()).strip() == f"Visits {sum(visitors)}"
        assert page.get_by_test_id("top-listings").get_by_text("e2e-home").is_visible()
    finally:
        _committed(f'DELETE FROM "{schema}".analytics_dailyvisitors WHERE day >= %s', [days[-1]])
        _committed(f'DELETE FROM "{schema}".analytics_dailyrollup WHERE day >= %s', [days[-1]])
