"""In a real browser: Sarah records a closed deal with a split between herself and the
brokerage, is told plainly what is wrong first, then sees the deal and her earnings add up."""

from __future__ import annotations

import os
from typing import Any

import psycopg
import pytest
from django.db import connection

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db]

TITLE = "E2E 9 Desert Rose Ln, Indio"


def _committed(sql: str, params: list[Any]) -> None:
    s = connection.settings_dict
    dsn = f"host={s['HOST'] or '127.0.0.1'} port={s['PORT'] or 5432} user={s['USER'] or 'postgres'} dbname={s['NAME']}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql, params)


def _shot(page: Any, name: str) -> None:
    folder = os.environ.get("E2E_SCREENSHOTS")
    if folder:
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def test_owner_records_a_deal_and_sees_the_earnings(live_site: dict[str, Any], page: Any, sarah_site: Any) -> None:
    from tenants.login_links import login_link_token

    schema = sarah_site.schema_name
    base = f"http://sarah.localhost:{live_site['port']}"
    try:
        page.goto(f"{base}/network-login/{login_link_token(schema_name=schema, email='sarah@example.com')}/")
        page.goto(f"{base}/crm/deals/")
        page.get_by_role("link", name="Record a deal").click()
        page.get_by_label("Deal", exact=True).fill(TITLE)
        page.get_by_label("Closed on").fill("2026-03-14")
        page.get_by_label("Sale price ($)").fill("$650,000")
        page.get_by_label("Commission rate (%)").fill("2.5")
        page.get_by_label("Agent, row 1").select_option(label="Sarah Chen")
        page.get_by_label("Percentage or amount, row 1").fill("120")
        page.get_by_role("button", name="Record the deal").click()
        error = page.get_by_text("The percentage is at most 100 %.")
        assert error.is_visible() and error.get_attribute("role") == "alert"
        _shot(page, "deal-form-error")
        page.get_by_label("Percentage or amount, row 1").fill("70")
        page.get_by_label("Cap ($, optional), row 1").fill("10,000")
        page.get_by_role("button", name="Record the deal").click()
        table = page.get_by_test_id("deal-table")
        assert TITLE in table.inner_text() and "$16,250.00" in table.inner_text()
        assert "$10,000.00" in table.inner_text() and "$6,250.00" in table.inner_text()  # capped; the rest
        _shot(page, "deals")
        page.get_by_role("link", name="Earnings", exact=True).click()
        page.get_by_label("Period", exact=True).select_option("year")
        page.get_by_label("Any day in it").fill("2026-03-01")
        page.get_by_role("button", name="Show").click()
        assert page.get_by_test_id("earnings-total").inner_text().strip().startswith("$")
        lines = page.get_by_test_id("earnings-lines").inner_text()
        assert TITLE in lines and "Brokerage" in lines
        _shot(page, "earnings")
    finally:
        _committed(
            f'DELETE FROM "{schema}".leads_dealsplit WHERE deal_id IN (SELECT id FROM "{schema}".leads_deal WHERE title = %s)',
            [TITLE],
        )
        _committed(f'DELETE FROM "{schema}".leads_deal WHERE title = %s', [TITLE])
