"""Serving ``GET /api/listings`` cheaply without changing what anyone sees: the per-process
host -> site cache (no SQL for routing), no cookies on anonymous API reads (pages still get
theirs), and the per-process cache of encoded search answers (scoped per site, per read-model
snapshot; API keys still authenticated and counted on every request)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from conftest import host_of
from devtools.synthetic.listings import documents
from listings import api
from listings.readmodel import loader
from tenants import middleware as tenant_middleware

pytestmark = pytest.mark.django_db

SEARCH = "/api/listings?sort=price&pageSize=5"
GPS, CRMLS = 60, 20


@pytest.fixture(scope="module")
def store(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    from listings.store import LISTINGS, get_db

    docs = list(documents(GPS, seed=31)) + list(documents(CRMLS, seed=32, source="crmls", start=GPS))
    coll = get_db()[LISTINGS]
    coll.delete_many({})
    coll.insert_many([dict(d) for d in docs])
    loader.holder(loader.LISTINGS).reload()
    yield
    coll.delete_many({})


@pytest.fixture(autouse=True)
def _setup(settings: Any, store: None) -> Iterator[None]:
    settings.LISTINGS_READMODEL_REFRESH = False
    api.search_cache.clear()
    tenant_middleware.tenant_host_cache_clear()
    yield
    api.search_cache.clear()
    tenant_middleware.tenant_host_cache_clear()  # entries read inside this test's transaction


@pytest.fixture
def host_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """The host cache as requests use it: they run outside a transaction, a test inside one."""
    monkeypatch.setattr(tenant_middleware, "process_cache_allowed", lambda: True)


def test_anonymous_api_read_sets_no_cookie_and_runs_no_sql(host_cache: None, sarah_site: Any) -> None:
    client = Client(HTTP_HOST=host_of(sarah_site))
    first = client.get(SEARCH)
    assert first.status_code == 200 and first.json()["total"] == GPS
    with CaptureQueriesContext(connection) as queries:
        again = client.get(SEARCH + "&minBeds=2")
    assert again.status_code == 200
    assert [q["sql"] for q in queries.captured_queries] == []  # routing, sessions, auth: nothing
    for response in (first, again):
        assert not response.cookies  # no anonymous id, session or CSRF cookie on a JSON read
        assert "Set-Cookie" not in response


def test_pages_still_get_the_anonymous_id_cookie(host_cache: None, sarah_site: Any) -> None:
    client = Client(HTTP_HOST=host_of(sarah_site))
    client.get(SEARCH)
    page = client.get("/")
    assert page.status_code == 200 and "anonymous_id" in page.cookies
    # and an API read by that visitor keeps it (no new one)
    assert "anonymous_id" not in client.get(SEARCH).cookies


def test_without_the_host_cache_routing_reads_the_site(sarah_site: Any) -> None:
    client = Client(HTTP_HOST=host_of(sarah_site))
    client.get(SEARCH)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(SEARCH).status_code == 200
    assert any("tenants_domain" in q["sql"] for q in queries.captured_queries)


def test_a_saved_site_is_seen_at_once(host_cache: None, sarah_site: Any) -> None:
    client = Client(HTTP_HOST=host_of(sarah_site))
    assert client.get(SEARCH).json()["total"] == GPS
    sarah_site.mls_sources = ["crmls"]
    sarah_site.save(update_fields=["mls_sources"])
    body = client.get(SEARCH).json()
    assert body["total"] == CRMLS and all(c["key"].startswith("2") for c in body["results"])
    sarah_site.is_active = False
    sarah_site.save(update_fields=["is_active"])
    assert client.get("/").status_code == 503


def test_a_change_without_signals_is_seen_within_the_ttl(host_cache: None, sarah_site: Any, settings: Any) -> None:
    settings.TENANT_HOST_CACHE_SECONDS = 0.3
    client = Client(HTTP_HOST=host_of(sarah_site))
    assert client.get("/").status_code == 200
    type(sarah_site).objects.filter(pk=sarah_site.pk).update(is_active=False)  # no post_save
    time.sleep(0.4)
    assert client.get("/").status_code == 503


def test_cached_answers_stay_within_their_site(host_cache: None, sarah_site: Any, mike_site: Any) -> None:
    sarah, mike, flagship = (Client(HTTP_HOST=h) for h in (host_of(sarah_site), host_of(mike_site), "localhost"))
    totals = {}
    for name, client in (("sarah", sarah), ("mike", mike), ("flagship", flagship), ("sarah2", sarah)):
        response = client.get(SEARCH)
        totals[name] = (response.json()["total"], response["X-Cache"])
    assert totals == {
        "sarah": (GPS, "miss"),  # sarah's site shows her source only
        "mike": (GPS + CRMLS, "miss"),
        "flagship": (GPS + CRMLS, "miss"),  # same sources as mike, but another site: own entry
        "sarah2": (GPS, "hit"),
    }
    assert sarah.get(SEARCH).content == sarah.get(SEARCH).content


def test_equivalent_queries_share_an_answer_and_bad_ones_are_never_cached(host_cache: None) -> None:
    client = Client(HTTP_HOST="localhost")
    assert client.get("/api/listings?city=palm-springs&minBeds=2")["X-Cache"] == "miss"
    assert client.get("/api/listings?minBeds=2&city=Palm+Springs&page=1")["X-Cache"] == "hit"
    for _ in range(2):
        bad = client.get('/api/listings?minPrice={"$ne":1}')
        assert bad.status_code == 400 and "X-Cache" not in bad


def test_a_new_snapshot_is_never_answered_from_the_old_one(host_cache: None) -> None:
    from listings.store import LISTINGS, get_db

    client = Client(HTTP_HOST="localhost")
    assert client.get(SEARCH).json()["total"] == GPS + CRMLS
    extra = next(documents(1, seed=33, start=GPS + CRMLS))
    get_db()[LISTINGS].insert_one(dict(extra))
    try:
        loader.holder(loader.LISTINGS).reload()
        response = client.get(SEARCH)
        assert response["X-Cache"] == "miss" and response.json()["total"] == GPS + CRMLS + 1
    finally:
        get_db()[LISTINGS].delete_one({"listingKey": extra["listingKey"]})
        loader.holder(loader.LISTINGS).reload()


def _api_key(tenant: Any, settings: Any) -> str:
    import datetime as dt

    from django.utils import timezone

    from accounts.services import user_create
    from billing.models import Subscription
    from listings.api_keys import api_key_create

    with schema_context(tenant.schema_name):
        user = user_create(email=f"robot-{uuid.uuid4().hex[:8]}@example.com", password="x" * 16, email_verified=True)
        now = timezone.now()
        Subscription.objects.create(
            user=user,
            stripe_subscription_id=f"sub_{uuid.uuid4().hex}",
            stripe_customer_id="cus_x",
            plan_key="investor_3",
            status=Subscription.Status.ACTIVE,
            current_period_start=now - dt.timedelta(days=1),
            current_period_end=now + dt.timedelta(days=29),
            state_as_of=now,
        )
        return api_key_create(user=user, name="robot")[1]


def test_api_keys_are_checked_and_counted_on_cached_answers(
    host_cache: None, sarah_site: Any, settings: Any, one_rate_window: None
) -> None:
    settings.API_KEY_RATE_PER_MINUTE = 3
    raw = _api_key(sarah_site, settings)
    robot = Client(HTTP_HOST=host_of(sarah_site))
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    statuses = [robot.get(SEARCH, **auth) for _ in range(5)]
    assert [r.status_code for r in statuses] == [200, 200, 200, 429, 429]
    assert [r["X-Cache"] for r in statuses[:3]] == ["miss", "hit", "hit"]
    assert robot.get(SEARCH, HTTP_AUTHORIZATION=f"Bearer {raw}x").status_code == 401
    assert robot.get(SEARCH)["X-Cache"] == "hit"  # the public answer is the same entry
