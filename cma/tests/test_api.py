"""``POST /api/cma``: API-key holders and signed-in users, the page's limits and usage counting,
clear errors that cost nothing, and the reports saved on the caller's site."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from listings.api_keys import api_key_create
from listings.tests.pages_support import RICH_KEY, signed_in, subscribe, user_in

pytestmark = pytest.mark.usefixtures("pages_urls", "cma_store", "geocoding")


def post(client: Client, body: object, **headers: str):
    return client.post("/api/cma", json.dumps(body), content_type="application/json", **headers)


def keyed(site, email):
    user = user_in(site, email)
    subscribe(site, user, "investor_3")
    with schema_context(site.schema_name):
        _, raw = api_key_create(user=user, name="script")
    return user, {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_api_key_holder_gets_a_saved_report_with_every_adjustment(sarah_site):
    user, auth = keyed(sarah_site, "api-cma@example.com")
    robot = Client(HTTP_HOST=sarah_site.get_primary_domain().domain)
    r = post(robot, {"listing": RICH_KEY, "sqft": 1850, "pool": True}, **auth)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["estimate"] > 0 and body["low"] <= body["estimate"] <= body["high"]
    comps = body["report"]["comps"]
    assert 3 <= len(comps) <= 12 and all(c["adjustments"] for c in comps)
    assert body["allowance"]["limit"] is None  # Investor 3: unlimited
    with schema_context(sarah_site.schema_name):
        from cma.models import CmaReport

        report = CmaReport.objects.get(user=user)
    assert report.via == "api" and str(report.public_id) == body["id"] and report.estimate == body["estimate"]
    assert body["url"] == f"/cma/{report.public_id}/"


def test_signed_in_user_is_counted_like_the_page(sarah_site):
    user = user_in(sarah_site, "api-inv1@example.com")
    subscribe(sarah_site, user, "investor_1")
    client = signed_in(sarah_site, user)
    r = post(client, {"listing": RICH_KEY})
    assert r.status_code == 201, r.content
    assert r.json()["allowance"] == {"limit": 10, "used": 1, "remaining": 9}
    page = client.get(f"/cma/?listing={RICH_KEY}").content.decode()
    assert "9/10 CMAs remaining" in page


def test_the_limit_is_the_plans(sarah_site):
    from billing.models import UsageCounter
    from billing.selectors import billing_context_get

    user = user_in(sarah_site, "api-inv1-full@example.com")
    subscribe(sarah_site, user, "investor_1")
    with schema_context(sarah_site.schema_name):
        ctx = billing_context_get(user=user)
        UsageCounter.objects.create(
            subject=f"u:{user.pk}",
            user=user,
            metric="cma_reports",
            period_start=ctx.period_start,
            period_end=ctx.period_end,
            used=10,
        )
    r = post(signed_in(sarah_site, user), {"listing": RICH_KEY})
    assert r.status_code == 429 and r.json()["upgrade"] is True and r.json()["upgrade_url"] == "/billing/pricing/"
    free = signed_in(sarah_site, user_in(sarah_site, "api-free@example.com"))
    r = post(free, {"listing": RICH_KEY})
    assert r.status_code == 403 and r.json()["error"] == "upgrade_required"


def test_anonymous_callers_must_sign_in_or_send_a_key(sarah_site, site_client):
    r = post(site_client(sarah_site), {"listing": RICH_KEY})
    assert r.status_code == 401 and r.json()["error"] == "authentication_required"
    bad = post(site_client(sarah_site), {"listing": RICH_KEY}, HTTP_AUTHORIZATION="Bearer cr_nope_x")
    assert bad.status_code == 401 and bad.json()["error"] == "invalid_api_key"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body"),
        ({"address": "1 Nowhere Ln, Palm Springs, CA"}, "sqft"),
        ({"address": "1 Main St, Palm Springs, CA", "sqft": -5}, "sqft"),
        ({"listing": "no-such-listing"}, "listing"),
        ({"address": "Pacific Ocean", "sqft": 1500}, "address"),
        ({"listing": RICH_KEY, "year": 3000}, "year"),
        ({"listing": RICH_KEY, "evil": 1}, "evil"),
        ({"listing": {"$ne": 1}}, "listing"),
        ([1, 2], "body"),
    ],
)
def test_bad_inputs_are_field_errors_and_cost_nothing(sarah_site, body, field):
    user = user_in(sarah_site, f"api-bad-{abs(hash(str(body)))}@example.com")
    subscribe(sarah_site, user, "investor_1")
    client = signed_in(sarah_site, user)
    r = post(client, body)
    assert r.status_code == 400 and field in r.json()["fields"], r.content
    assert "10/10 CMAs remaining" in client.get(f"/cma/?listing={RICH_KEY}").content.decode()
