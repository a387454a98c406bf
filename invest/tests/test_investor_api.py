"""The Investor API (Investor 3) through the real stack: API keys or the session, the plan gate,
usage counted against the plan (bad input never counts), bad input as 400/404 JSON, the
OpenAPI document, and keys that work on their own site only."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from billing.models import UsageCounter
from billing.plans import INVESTOR_API_CALLS
from billing.selectors import billing_context_get
from listings.tests.pages_support import RICH_KEY, signed_in, subscribe, user_in

pytestmark = pytest.mark.usefixtures("pages_urls", "cma_store", "geocoding", "investor_api_on", "one_rate_window")
ANALYSIS = "/api/invest/analysis"


@pytest.fixture
def investor_api_on(settings: Any) -> None:
    settings.FEATURES = {**settings.FEATURES, "investor_api": True}


def member(site: Any, email: str, plan: str | None) -> tuple[Any, Client]:
    user = user_in(site, email)
    if plan and plan != "free":
        subscribe(site, user, plan)
    return user, signed_in(site, user)


def key_of(client: Client) -> str:
    r = client.post("/api/keys", {"name": "script"}, content_type="application/json")
    assert r.status_code == 201, r.content
    return str(r.json()["key"])


def calls_used(site: Any, user: Any) -> int:
    with schema_context(site.schema_name):
        row = UsageCounter.objects.filter(user=user, metric="api_calls").first()
        return row.used if row else 0


@pytest.mark.parametrize("plan", ["free", "pro", "investor_1", "investor_2", "investor_3"])
def test_only_investor_3_may_call_it(sarah_site: Any, plan: str) -> None:
    _, client = member(sarah_site, f"api-{plan}@example.com", plan)
    r = client.post(ANALYSIS, {"listing": RICH_KEY}, content_type="application/json")
    if plan == "investor_3":
        assert r.status_code == 200, r.content
    else:
        body = r.json()
        assert r.status_code == 403 and body["error"] == "upgrade_required" and body["upgrade"] is True
        assert set(body) >= {"error", "message", "fields", "upgrade_url"}


def test_key_holder_gets_analysis_rent_and_trends_and_each_call_counts(sarah_site: Any, site_client: Any) -> None:
    user, owner = member(sarah_site, "api-inv3@example.com", "investor_3")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key_of(owner)}"}
    client = site_client(sarah_site)
    r = client.post(ANALYSIS, {"listing": RICH_KEY, "down_pct": 30}, content_type="application/json", **auth)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["listingKey"] == RICH_KEY and body["inputs"]["price"] == "1250000.00"
    assert Decimal(body["inputs"]["down_pct"]) == 30 and body["analysis"]["cap_rate"] is not None
    assert 3000 <= body["rent"]["estimate"] <= 3500 and body["inputs"]["tax_rate_pct"] == "1.1"
    own = client.post(ANALYSIS, {"price": 200000, "rent_monthly": 2000}, content_type="application/json", **auth)
    assert own.status_code == 200 and own.json()["rent"] is None
    rent = client.get("/api/invest/rent-estimate", {"listing": RICH_KEY}, **auth)
    assert rent.status_code == 200 and rent.json()["low"] <= rent.json()["estimate"] <= rent.json()["high"]
    trends = client.get("/api/invest/trends", {"kind": "city", "place": "Palm Springs", "period": "1y"}, **auth)
    assert trends.status_code == 200, trends.content
    assert len(trends.json()["months"]) == 12 and "sales_12m" in trends.json()["headline"]
    assert calls_used(sarah_site, user) == 4


BAD = [
    ({"price": 200000, "rent_monthly": -5}, 400, "rent_monthly"),
    ({"price": 200000, "rent_monthly": 2000, "term_years": 100}, 400, "term_years"),
    ({"price": 200000, "rent_monthly": 2000, "down_pct": 120}, 400, "down_pct"),
    ({"rent_monthly": 2000}, 400, "price"),
    ({"price": "lots"}, 400, "price"),
    ({"price": 200000, "bogus": 1}, 400, "bogus"),
    ({"listing": "no-such-listing-123"}, 404, "listing"),
]


def test_bad_input_is_400_or_404_json_and_never_counted(sarah_site: Any) -> None:
    user, client = member(sarah_site, "api-bad@example.com", "investor_3")
    for payload, status, field in BAD:
        r = client.post(ANALYSIS, payload, content_type="application/json")
        assert r.status_code == status and field in r.json()["fields"], (payload, r.content)
    assert client.post(ANALYSIS, b"{not json", content_type="application/json").status_code == 400
    zero_down = client.post(
        ANALYSIS, {"price": 200000, "rent_monthly": 2000, "down_pct": 0}, content_type="application/json"
    )
    assert zero_down.status_code == 200 and zero_down.json()["analysis"]["loan"] == "200000.00"
    for params, status in (
        ({"kind": "city", "place": "Atlantis"}, 404),
        ({"kind": "planet", "place": "Palm Springs"}, 400),
        ({"kind": "city", "place": "Palm Springs", "period": "7y"}, 400),
        ({"kind": "city"}, 400),
    ):
        assert client.get("/api/invest/trends", params).status_code == status, params
    assert client.get("/api/invest/rent-estimate").status_code == 400
    assert client.get("/api/invest/rent-estimate", {"listing": "nope-999"}).status_code == 404
    assert calls_used(sarah_site, user) == 1  # the 0 % down analysis only


def test_the_monthly_allowance_runs_out_with_429(sarah_site: Any) -> None:
    user, client = member(sarah_site, "api-quota@example.com", "investor_3")
    with schema_context(sarah_site.schema_name):
        ctx = billing_context_get(user=user)
        UsageCounter.objects.create(
            subject=f"u:{user.pk}",
            user=user,
            metric="api_calls",
            period_start=ctx.period_start,
            period_end=ctx.period_end,
            used=INVESTOR_API_CALLS,
        )
    r = client.get("/api/invest/trends", {"kind": "city", "place": "Palm Springs"})
    body = r.json()
    assert r.status_code == 429 and body["error"] == "quota_exceeded" and body["remaining"] == 0
    # Investor 3 is the top plan: no upgrade is offered, only the reset.
    assert body["upgrade"] is False and "Upgrade" not in body["message"] and "reset" in body["message"]


def test_keys_are_per_site_and_rate_limited(sarah_site: Any, mike_site: Any, site_client: Any, settings: Any) -> None:
    _, owner = member(sarah_site, "api-site@example.com", "investor_3")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key_of(owner)}"}
    params = {"kind": "city", "place": "Palm Springs", "period": "1y"}
    assert site_client(mike_site).get("/api/invest/trends", params, **auth).status_code == 401
    settings.API_KEY_RATE_PER_MINUTE = 2
    answers = [site_client(sarah_site).get("/api/invest/trends", params, **auth).status_code for _ in range(3)]
    assert answers == [200, 200, 429]


def test_openapi_documents_the_investor_api(sarah_site: Any, site_client: Any) -> None:
    doc = site_client(sarah_site).get("/api/openapi.json").json()
    assert {"/api/invest/analysis", "/api/invest/rent-estimate", "/api/invest/trends"} <= set(doc["paths"])
    op = doc["paths"]["/api/invest/analysis"]["post"]
    assert "Investor 3" in op["description"] and {"400", "403", "404", "429"} <= set(op["responses"])
    assert {"ApiKeyAuth"} <= {k for s in op["security"] for k in s}


def test_switched_off_it_is_not_there(sarah_site: Any, settings: Any) -> None:
    settings.FEATURES = {**settings.FEATURES, "investor_api": False}
    _, client = member(sarah_site, "api-off@example.com", "investor_3")
    assert client.post(ANALYSIS, {"price": 1, "rent_monthly": 1}, content_type="application/json").status_code == 404
