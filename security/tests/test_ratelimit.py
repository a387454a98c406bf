"""The one rate-limit layer (security/policy.py applied by security.ratelimit), through the real
URL routing of the test sites: each row answers 429 with Retry-After past its rate (JSON in the
one error shape under /api/, a friendly page elsewhere), counts clients by the address from the
trusted proxy and by account, never by the anonymous-id cookie a cookie-less client gets
afresh on every request."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import get_resolver
from django_tenants.utils import schema_context

from listings.tests.pages_support import RICH_SLUG, store
from security.policy import POLICY
from security.ratelimit import Limit, Rule

__all__ = ["store"]

PASSWORD = "a-long-enough-pass-2026"


@pytest.fixture(autouse=True)
def _behind_nginx(settings: Any, one_rate_window: None) -> None:
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1


def visitor(tenant: Any, ip: str = "203.0.113.10") -> Client:
    """A fresh browser without cookies behind nginx (gunicorn on a unix socket)."""
    return Client(HTTP_HOST=tenant.get_primary_domain().domain, REMOTE_ADDR="", HTTP_X_FORWARDED_FOR=ip)


def assert_page_429(response: Any) -> None:
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 86400
    assert "Please slow down" in response.content.decode()


def assert_json_429(response: Any) -> None:
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 86400
    body = response.json()
    assert set(body) == {"error", "message", "fields"} and body["error"] == "rate_limited"


# ---- messages that reach a person ---------------------------------------------------------------


def showing(client: Client, n: int) -> Any:
    data = {"name": f"Buyer {n}", "email": f"buyer{n}@example.com", "message": "Saturday?"}
    return client.post(f"/listings/{RICH_SLUG}/showing/", data)


@pytest.mark.usefixtures("store")
def test_showing_requests_from_cookieless_clients_are_limited_by_address(
    sarah_site: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from leads.models import Lead

    with django_capture_on_commit_callbacks(execute=True):
        statuses = [showing(visitor(sarah_site), n).status_code for n in range(7)]
    assert statuses == [302] * 5 + [429] * 2
    assert_page_429(showing(visitor(sarah_site), 99))
    with schema_context(sarah_site.schema_name):
        assert Lead.objects.filter(source=Lead.Source.SHOWING_REQUEST).count() == 5
    assert len(mail.outbox) == 5  # one mail to the agent per lead, none for the refused ones
    # another client is not affected
    assert showing(visitor(sarah_site, "198.51.100.20"), 7).status_code == 302


@pytest.mark.usefixtures("store")
def test_a_signed_in_account_is_limited_whatever_its_address(sarah_site: Any) -> None:
    from accounts.services import user_create

    with schema_context(sarah_site.schema_name):
        user = user_create(email="hopper@example.com", password=PASSWORD, email_verified=True)
    statuses = []
    for n in range(6):
        client = visitor(sarah_site, f"198.51.100.{n + 1}")
        with schema_context(sarah_site.schema_name):
            client.force_login(user)
        statuses.append(showing(client, n).status_code)
    assert statuses == [302] * 5 + [429]


def test_contact_form_submissions_are_limited(sarah_site: Any) -> None:
    from leads.models import Lead

    data = {"name": "Ann", "email": "ann@example.com", "message": "Call me"}
    statuses = [visitor(sarah_site).post("/contact/", data).status_code for _ in range(6)]
    assert statuses[:5] == [200] * 5 and statuses[5] == 429  # Wagtail shows its thank-you page
    with schema_context(sarah_site.schema_name):
        assert Lead.objects.filter(source=Lead.Source.CONTACT_FORM).count() == 5
    assert visitor(sarah_site).get("/contact/").status_code == 200  # reading the page is not limited


# ---- accounts -----------------------------------------------------------------------------------


def test_signups_per_address(sarah_site: Any) -> None:
    def signup(n: int, ip: str = "203.0.113.30") -> int:
        data = {"email": f"s{n}@example.com", "password1": PASSWORD, "password2": PASSWORD, "role": "end_user"}
        return visitor(sarah_site, ip).post("/accounts/signup/", data).status_code

    assert [signup(n) for n in range(10)] == [302] * 10
    assert signup(10) == 429
    assert visitor(sarah_site, "203.0.113.30").get("/accounts/signup/").status_code == 200
    assert signup(11, ip="203.0.113.31") == 302


def test_login_attempts_per_account_across_addresses(sarah_site: Any) -> None:
    """Guessing one account's password from many addresses: 10 tries in 5 minutes."""
    statuses = [
        visitor(sarah_site, f"198.51.100.{n}")
        .post("/accounts/login/", {"login": "Owner@Example.com ", "password": f"guess{n}"})
        .status_code
        for n in range(11)
    ]
    assert statuses[:10] == [200] * 10 and statuses[10] == 429
    other = visitor(sarah_site, "198.51.100.99").post("/accounts/login/", {"login": "x@example.com", "password": "y"})
    assert other.status_code == 200


def test_password_resets_per_address_to_one_account(sarah_site: Any) -> None:
    statuses = [
        visitor(sarah_site, f"198.51.100.{n}").post("/accounts/password/reset/", {"email": "a@example.com"}).status_code
        for n in range(4)
    ]
    assert statuses == [302, 302, 302, 429]


# ---- APIs -----------------------------------------------------------------------------------------


@pytest.mark.usefixtures("store")
def test_swipes_from_a_cookieless_client_are_limited(sarah_site: Any) -> None:
    from listings.models import Swipe
    from listings.tests.pages_support import RICH_KEY

    def swipe() -> Any:
        return visitor(sarah_site).post(
            "/api/swipes", {"listingKey": RICH_KEY, "direction": "like"}, content_type="application/json"
        )

    with schema_context(sarah_site.schema_name):
        before = Swipe.objects.count()
    statuses = [swipe().status_code for _ in range(121)]
    assert statuses[:120] == [201] * 120 and statuses[120] == 429
    assert_json_429(swipe())
    with schema_context(sarah_site.schema_name):
        assert Swipe.objects.count() - before == 120  # each cookie-less swipe is a visitor of its own


@pytest.mark.usefixtures("store")
def test_map_clusters_per_address(sarah_site: Any) -> None:
    params = {"bbox": "-117,33,-116,34", "zoom": "9"}
    client = visitor(sarah_site, "203.0.113.40")
    statuses = [client.get("/api/map/clusters", params).status_code for _ in range(121)]
    assert statuses[:120] == [200] * 120 and statuses[120] == 429
    assert_json_429(client.get("/api/map/clusters", params))
    assert visitor(sarah_site, "203.0.113.41").get("/api/map/clusters", params).status_code == 200


@pytest.mark.usefixtures("store")
def test_public_api_per_address(sarah_site: Any) -> None:
    client = visitor(sarah_site, "203.0.113.50")
    statuses = [client.get("/api/cities").status_code for _ in range(301)]
    assert statuses[:300] == [200] * 300 and statuses[300] == 429
    assert_json_429(client.get("/api/cities"))
    # a forged X-Forwarded-For entry does not buy a fresh bucket
    forged = Client(HTTP_HOST="sarah.localhost", REMOTE_ADDR="", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.50")
    assert forged.get("/api/cities").status_code == 429


def test_guessing_api_keys_is_limited_per_address(sarah_site: Any) -> None:
    client = visitor(sarah_site, "203.0.113.60")
    statuses = [
        client.get("/api/cities", HTTP_AUTHORIZATION=f"Bearer cr_{n:012x}_secret").status_code for n in range(31)
    ]
    assert statuses[:30] == [401] * 30 and statuses[30] == 429


# ---- the layer itself ---------------------------------------------------------------------------


def test_limits_fail_open_when_redis_is_unreachable(sarah_site: Any, settings: Any) -> None:
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit-down": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"},
    }
    settings.RATELIMIT_USE_CACHE = "ratelimit-down"
    data = {"name": "Ann", "email": "ann@example.com", "message": "Call me"}
    assert [visitor(sarah_site).post("/contact/", data).status_code for _ in range(7)] == [200] * 7


def _url_names(resolver: Any, prefix: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in resolver.url_patterns:
        if hasattr(pattern, "url_patterns"):
            ns = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            names |= _url_names(pattern, ns)
        elif pattern.name:
            names.add(prefix + pattern.name)
    return names


def test_every_view_the_policy_names_exists() -> None:
    """A renamed URL would silently drop its limit."""
    names = _url_names(get_resolver("config.urls_tenants")) | _url_names(get_resolver("config.urls_public"))
    missing = {(rule.name, view) for rule in POLICY for view in rule.views if view not in names}
    assert not missing


def test_rules_refuse_unknown_keys_and_empty_matches() -> None:
    with pytest.raises(ValueError, match="unknown key"):
        Rule("x", path="^/x", limits=(Limit("1/m", "anonymous_id"),))
    with pytest.raises(ValueError, match="matches nothing"):
        Rule("x", limits=(Limit("1/m", "ip"),))
