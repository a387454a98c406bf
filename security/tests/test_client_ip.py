"""The client address behind the proxy: one function, used by allauth and by our limits.

Production gunicorn listens on a unix socket, so REMOTE_ADDR is empty and nginx's
X-Forwarded-For entry is the client; entries left of it were written by the client and are
never believed."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, RequestFactory
from django_tenants.utils import schema_context

from security.client_ip import client_ip, client_ip_key

PASSWORD = "a-long-enough-pass-2026"


def request(remote: str = "", xff: str | None = None, **headers: str) -> Any:
    meta: dict[str, str] = {"REMOTE_ADDR": remote}
    if xff is not None:
        meta["HTTP_X_FORWARDED_FOR"] = xff
    meta.update({f"HTTP_{k.upper()}": v for k, v in headers.items()})
    return RequestFactory().get("/", **meta)


@pytest.mark.parametrize(
    ("trusted", "remote", "xff", "expected"),
    [
        # gunicorn on a unix socket behind nginx
        (1, "", "203.0.113.7", "203.0.113.7"),
        # a forged entry sent by the client, left of what nginx appended
        (1, "", "6.6.6.6, 203.0.113.7", "203.0.113.7"),
        (1, "", "6.6.6.6,203.0.113.7", "203.0.113.7"),
        # CDN -> nginx -> app: the CDN saw the client, nginx saw the CDN
        (2, "", "6.6.6.6, 198.51.100.9, 10.0.0.2", "198.51.100.9"),
        # the outer proxy was skipped: every entry is ours, the first is the client
        (2, "", "198.51.100.9", "198.51.100.9"),
        # no proxy trusted: the header is the client's word and is ignored
        (0, "10.1.2.3", "6.6.6.6", "10.1.2.3"),
        # trusted proxies but a direct connection (health probe on the host): the peer
        (1, "10.1.2.3", None, "10.1.2.3"),
        # ports and brackets as some proxies write them
        (1, "", "203.0.113.7:51234", "203.0.113.7"),
        (1, "", "[2001:db8::1]:443", "2001:db8::1"),
        # garbage where the address should be
        (1, "", "not-an-ip", None),
        (0, "", None, None),
    ],
)
def test_client_ip_from_trusted_proxies(
    settings: Any, trusted: int, remote: str, xff: str | None, expected: Any
) -> None:
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = trusted
    assert client_ip(request(remote, xff)) == expected


def test_a_named_header_from_the_proxy(settings: Any) -> None:
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    assert client_ip(request("", "6.6.6.6", x_real_ip="203.0.113.9")) == "203.0.113.9"
    assert client_ip(request("10.0.0.1", "203.0.113.9")) is None  # only that header counts


def test_rate_limit_bucket_of_an_address(settings: Any) -> None:
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    # one IPv6 customer gets a /64: rotating addresses inside it stays one bucket
    assert client_ip_key(request("", "2001:db8:1:2::a")) == client_ip_key(request("", "2001:db8:1:2:ffff::b"))
    assert client_ip_key(request("", "2001:db8:1:3::a")) != client_ip_key(request("", "2001:db8:1:2::a"))
    assert client_ip_key(request("", "")) == "unknown"


def make_user(tenant: Any, email: str) -> None:
    from accounts.services import user_create

    with schema_context(tenant.schema_name):
        user_create(email=email, password=PASSWORD, email_verified=True)


def proxied(tenant: Any, xff: str) -> Client:
    """A browser behind nginx, as gunicorn on a unix socket sees it."""
    return Client(HTTP_HOST=tenant.get_primary_domain().domain, REMOTE_ADDR="", HTTP_X_FORWARDED_FOR=xff)


def test_login_signup_and_reset_work_with_an_empty_remote_addr(sarah_site: Any, settings: Any) -> None:
    """Before: allauth found no address and refused all three with 403."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    make_user(sarah_site, "proxied@example.com")
    client = proxied(sarah_site, "203.0.113.7")
    login = client.post("/accounts/login/", {"login": "proxied@example.com", "password": PASSWORD})
    assert login.status_code == 302 and client.session["_auth_user_id"]
    other = proxied(sarah_site, "203.0.113.8")
    signup = other.post(
        "/accounts/signup/",
        {"email": "fresh@example.com", "password1": PASSWORD, "password2": PASSWORD, "role": "end_user"},
    )
    assert signup.status_code == 302
    reset = other.post("/accounts/password/reset/", {"email": "proxied@example.com"})
    assert reset.status_code == 302


def test_allauth_counts_failed_logins_per_real_client(sarah_site: Any, settings: Any) -> None:
    """allauth's failed-login limit (5 per 5 minutes per address) follows the address nginx
    saw: a forged X-Forwarded-For entry changes nothing, another client is unaffected."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for n in range(6):
        make_user(sarah_site, f"victim{n}@example.com")

    def blocked(xff: str, n: int) -> bool:
        client = proxied(sarah_site, xff)
        response = client.post("/accounts/login/", {"login": f"victim{n}@example.com", "password": "wrong"})
        assert response.status_code == 200  # the form again, with an error
        return "Too many failed login attempts" in response.content.decode()

    # each try claims a fresh address in the header; nginx's entry is the same
    assert [blocked(f"10.9.9.{n}, 203.0.113.50", n) for n in range(6)] == [False] * 5 + [True]
    assert not blocked("203.0.113.51", 5)
