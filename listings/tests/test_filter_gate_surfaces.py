"""Advanced filters (Pro and up) per plan on every surface: the search API (and the map's
cluster API), the search and map pages, saved searches and the chat tool. Allowed plans get
the filtered answer (checked against a brute-force pass over the store); the others a clear
refusal naming the filter and the plan, never a silently emptier result. The OpenAPI document
marks the advanced parameters with ``x-required-plan``."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from chat.registry import ToolContext, tool_run
from listings.readmodel import reference
from listings.readmodel.query import SearchQuery
from listings.selectors import site_scope
from listings.tests.pages_support import pages_urls, signed_in, store, subscribe, user_in

__all__ = ["pages_urls", "store"]

pytestmark = pytest.mark.usefixtures("pages_urls", "store", "one_rate_window")

# plan -> may use advanced filters (None: a visitor without an account)
PLANS: dict[str | None, bool] = {None: False, "free": False, "pro": True, "ultimate": True, "investor_3": True}
TRIANGLE = "-116.60,33.70;-116.40,33.70;-116.50,33.95"


def client_for(site: Any, plan: str | None, site_client: Any) -> tuple[Client, Any]:
    if plan is None:
        return site_client(site), None
    user = user_in(site, f"gate-{plan}@example.com")
    if plan != "free":
        subscribe(site, user, plan)
    return signed_in(site, user), user


def expected_total(store: list[dict[str, Any]], site: Any, **filters: Any) -> int:
    scope = site_scope(tenant=site)
    q = SearchQuery(mls_sources=scope.mls_sources, page_size=100, **filters)
    return reference.search(store, q).total


def check_api(client: Client, allowed: bool, store: list[dict[str, Any]], site: Any) -> None:
    r = client.get("/api/listings", {"maxHoa": "300", "minYearBuilt": "1990"})
    if allowed:
        assert r.status_code == 200, r.content
        assert r.json()["total"] == expected_total(store, site, max_hoa=300, min_year_built=1990) > 0
    else:
        body = r.json()
        assert r.status_code == 403 and body["error"] == "upgrade_required", body
        assert set(body["fields"]) == {"maxHoa", "minYearBuilt"} and "Pro plan" in body["message"]
        assert body["upgrade"] is True and body["upgrade_url"] == "/billing/pricing/" and body["required_plan"] == "pro"
    clusters = client.get("/api/map/clusters", {"bbox": "-117,33,-116,34.5", "zoom": "9", "polygon": TRIANGLE})
    assert clusters.status_code == (200 if allowed else 403)
    basic = client.get("/api/listings", {"minPrice": "100000"})  # everyday filters: everyone
    assert basic.status_code == 200 and basic.json()["total"] > 0


def check_pages(client: Client, allowed: bool) -> None:
    page = client.get("/search/", {"maxHoa": "300", "city": "Palm Springs"})
    html = page.content.decode()
    if allowed:
        assert page.status_code == 200 and "data-upgrade-prompt" not in html and "plan-badge" not in html
        assert "data-advanced-filters disabled" not in html
    else:
        assert page.status_code == 403 and "data-upgrade-prompt" in html
        assert "Filtering by HOA limit needs the Pro plan" in html and "Search without HOA limit" in html
        assert "data-advanced-filters disabled" in html and 'href="/billing/pricing/"' in html
        assert 'class="result-card' not in html  # nothing that looks like a (wrong) result
    map_html = client.get("/map/").content.decode()
    assert ("data-draw " in map_html) is allowed  # the draw button works, or is locked with the badge
    assert ('plan-badge">Pro<' in map_html) is not allowed


def check_saved_search(client: Client, plan: str | None, allowed: bool) -> None:
    r = client.post(
        "/api/saved-searches", {"query": "city=Palm+Springs&landLease=false"}, content_type="application/json"
    )
    if plan is None:
        assert r.status_code == 401  # an account first
    elif allowed:
        assert r.status_code == 201, r.content
    else:
        body = r.json()
        assert r.status_code == 403 and body["error"] == "upgrade_required" and "land lease" in body["message"]
        assert body["fields"] == {"landLease": "needs the Pro plan"} and body["upgrade_url"] == "/billing/pricing/"
    plain = client.post("/api/saved-searches", {"query": "city=Palm+Springs"}, content_type="application/json")
    assert plain.status_code == (401 if plan is None else 201)


def check_chat(site: Any, user: Any, allowed: bool) -> None:
    ctx = ToolContext(
        schema=site.schema_name, scope=site_scope(tenant=site), site_name=site.name, user=user, anonymous_id="d" * 32
    )
    with schema_context(site.schema_name):
        result = tool_run("search_listings", {"city": "Palm Springs", "maxPricePerSqft": 900}, ctx)
        plain = tool_run("search_listings", {"city": "Palm Springs"}, ctx)
        link = tool_run("show_on_map", {"newerThanDays": 30}, ctx)
    assert plain.ok and link.ok is allowed
    if allowed:
        assert result.ok and result.content["total"] <= plain.content["total"]
    else:
        assert not result.ok and result.content["error"] == "upgrade_required"
        assert "$/sq ft needs the Pro plan" in result.content["message"]
        assert result.content["fields"]["upgrade"] == "/billing/pricing/"


@pytest.mark.parametrize("plan", list(PLANS))
def test_plan_by_surface(plan: str | None, sarah_site: Any, site_client: Any, store: Any) -> None:
    client, user = client_for(sarah_site, plan, site_client)
    allowed = PLANS[plan]
    check_api(client, allowed, store, sarah_site)
    check_pages(client, allowed)
    check_saved_search(client, plan, allowed)
    check_chat(sarah_site, user, allowed)


def test_an_api_key_acts_for_its_owner(sarah_site: Any, site_client: Any, store: Any) -> None:
    owner, _ = client_for(sarah_site, "investor_3", site_client)
    raw = owner.post("/api/keys", {"name": "gate"}, content_type="application/json").json()["key"]
    keyed = site_client(sarah_site).get("/api/listings", {"landLease": "true"}, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert keyed.status_code == 200 and keyed.json()["total"] == expected_total(store, sarah_site, land_lease=True)
    anonymous = site_client(sarah_site).get("/api/listings", {"landLease": "true"})
    assert anonymous.status_code == 403


def test_switched_off_every_filter_is_open(settings: Any, sarah_site: Any, site_client: Any, store: Any) -> None:
    settings.FEATURES = {**settings.FEATURES, "advanced_filters": False}
    client = site_client(sarah_site)
    assert client.get("/api/listings", {"maxHoa": "300"}).status_code == 200
    html = client.get("/search/", {"maxHoa": "300"}).content.decode()
    assert "plan-badge" not in html and "data-upgrade-prompt" not in html


def test_openapi_says_which_parameters_need_which_plan(sarah_site: Any, site_client: Any) -> None:
    doc = site_client(sarah_site).get("/api/openapi.json").json()
    for path in ("/api/listings", "/api/map/clusters", "/api/swipes/queue"):
        params = {p["name"]: p for p in doc["paths"][path]["get"]["parameters"]}
        for name in ("maxHoa", "landLease", "newerThanDays", "polygon", "maxPricePerSqft", "minYearBuilt"):
            assert params[name]["x-required-plan"] == "pro", (path, name)
            assert "Needs the Pro plan" in params[name]["description"]
        assert "x-required-plan" not in params["minPrice"] and "x-required-plan" not in params["city"]


def test_a_downgraded_owners_advanced_search_sends_no_alerts(sarah_site: Any, store: list[dict[str, Any]]) -> None:
    """The plan is checked again when alerts are recorded, not only when the search is saved."""
    import datetime as dt

    from billing.models import Subscription
    from listings.alerts import alerts_record
    from listings.models import AlertSent, SavedSearch

    pro, lapsed = user_in(sarah_site, "alerts-pro@example.com"), user_in(sarah_site, "alerts-lapsed@example.com")
    subscribe(sarah_site, pro, "pro")
    subscribe(sarah_site, lapsed, "pro")
    scope = site_scope(tenant=sarah_site)
    docs = [d for d in store if d.get("city") == "Palm Springs" and not d.get("landLease")]
    with schema_context(sarah_site.schema_name):
        Subscription.objects.filter(user=lapsed).update(status=Subscription.Status.CANCELED)
        searches = {
            user.email: SavedSearch.objects.create(
                user=user, name="No land lease", query={"city": ["Palm Springs"], "landLease": ["false"]}
            )
            for user in (pro, lapsed)
        }
        SavedSearch.objects.update(created_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
        alerts_record(docs=docs, sources=scope.mls_sources, run_id="downgrade")
        assert AlertSent.objects.filter(saved_search=searches[pro.email]).count() > 0
        assert AlertSent.objects.filter(saved_search=searches[lapsed.email]).count() == 0
