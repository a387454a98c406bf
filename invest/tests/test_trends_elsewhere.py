"""Market trends outside the trends page: the headline on the community pages (generated and
editor-written) and the assistant's ``market_trends`` tool, with the same numbers as the trends
engine (itself checked against brute force in test_trends.py), on the site's own MLS sources."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from chat.offline import plan_message
from chat.registry import ToolContext, tool_run
from cms.tests.test_community_pages import make_city_page
from listings.selectors import site_scope
from listings.tests.pages_support import subscribe, user_in

pytestmark = pytest.mark.usefixtures("pages_urls", "cma_store")


def headline_numbers(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-trend="([a-z_0-9]+)">([^<]*)<', html))


def brute_sales_12m(closed: list[dict[str, Any]], city: str, sources: tuple[str, ...] | None) -> int:
    today = timezone.localdate()
    months = today.year * 12 + today.month
    n = 0
    for d in closed:
        if d.get("city") != city or d.get("propertyType") != "Residential" or not d.get("closePrice"):
            continue
        if sources is not None and d.get("mlsSource") not in sources:
            continue
        closed_on = date.fromisoformat(str(d["closeDate"])[:10])
        if closed_on <= today and months - 12 < closed_on.year * 12 + closed_on.month <= months:
            n += 1
    return n


def test_city_pages_show_the_headline(sarah_site: Any, site_client: Any, cma_store: Any) -> None:
    _, closed = cma_store
    expected = brute_sales_12m(closed, "Palm Springs", site_scope(tenant=sarah_site).mls_sources)
    assert expected > 0
    generated = site_client(sarah_site).get("/communities/palm-springs/").content.decode()
    assert "data-market-headline" in generated
    assert headline_numbers(generated)["sales_12m"] == f"{expected:,}"
    assert "/invest/trends/?kind=city&amp;place=Palm+Springs" in generated
    make_city_page(sarah_site, "palm-springs")  # the editor's page serves the address now
    edited = site_client(sarah_site).get("/communities/palm-springs/").content.decode()
    assert "An editor&#x27;s introduction." in edited or "An editor's introduction." in edited
    assert headline_numbers(edited) == headline_numbers(generated)


def test_each_site_counts_its_own_sources(mike_site: Any, site_client: Any, cma_store: Any) -> None:
    _, closed = cma_store
    html = site_client(mike_site).get("/communities/long-beach/").content.decode()
    found = headline_numbers(html)
    expected = brute_sales_12m(closed, "Long Beach", site_scope(tenant=mike_site).mls_sources)
    assert (found.get("sales_12m") == f"{expected:,}") if found else expected == 0


def ctx(site: Any, user: Any = None) -> ToolContext:
    return ToolContext(
        schema=site.schema_name, scope=site_scope(tenant=site), site_name=site.name, user=user, anonymous_id="t" * 32
    )


def test_chat_tool_headline_for_everyone_detail_for_investors(sarah_site: Any, cma_store: Any) -> None:
    _, closed = cma_store
    investor = user_in(sarah_site, "trends-tool@example.com")
    subscribe(sarah_site, investor, "investor_1")
    with schema_context(sarah_site.schema_name):
        visitor = tool_run("market_trends", {"place": "Palm Springs"}, ctx(sarah_site))
        detail = tool_run("market_trends", {"place": "Palm Springs", "kind": "city"}, ctx(sarah_site, investor))
    assert visitor.ok and detail.ok, visitor.content
    assert visitor.content["sales_12m"] == brute_sales_12m(closed, "Palm Springs", ("gps",))
    assert "months" not in visitor.content and "Investor" in visitor.content["detail"]
    assert len(detail.content["months"]) == 12 and detail.content["sales_12m"] == visitor.content["sales_12m"]
    assert visitor.display["kind"] == "trends" and visitor.display["url"].startswith("/invest/trends/")
    with schema_context(sarah_site.schema_name):  # Long Beach is CRMLS only, which Sarah does not show
        elsewhere = tool_run("market_trends", {"place": "Long Beach"}, ctx(sarah_site))
    assert not elsewhere.ok and elsewhere.content["error"] == "not_found"


@pytest.mark.parametrize(
    "args",
    [
        {},
        {"place": ""},
        {"place": "x" * 101},
        {"place": "Palm Springs", "kind": "county"},
        {"place": {"$ne": 1}},
        {"place": "Palm Springs", "extra": 1},
        {"place": "abc", "kind": "postal"},
        {"place": "Atlantis"},
    ],
)
def test_chat_tool_refuses_bad_arguments(sarah_site: Any, args: dict[str, Any]) -> None:
    with schema_context(sarah_site.schema_name):
        result = tool_run("market_trends", args, ctx(sarah_site))
    assert not result.ok and result.content["error"] in ("invalid_arguments", "not_found"), result.content


def test_the_offline_assistant_asks_the_tool(sarah_site: Any) -> None:
    plan = plan_message("What are the market trends in Palm Springs?", previous=None, context={}, shown=[])
    assert plan.calls == [("market_trends", {"place": "Palm Springs", "kind": "city"})]
