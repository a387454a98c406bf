"""``next`` parameters stay on the site that was asked (``security.redirects``, used by allauth's
adapter and our own views): ``/\\evil.com`` (which browsers read as ``//evil.com``) once passed."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client, RequestFactory
from django_tenants.utils import schema_context

from security.redirects import safe_next

PASSWORD = "a-long-enough-pass-2026"
OFF_SITE = [
    "/\\evil.com",
    "/\\/evil.com",
    "//evil.com",
    "https://evil.com/",
    "\\\\evil.com",
    "http:/evil.com",
    " //evil.com",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_off_site_targets_fall_back(target: str) -> None:
    request = RequestFactory().get("/", HTTP_HOST="sarah.localhost")
    assert safe_next(request, target, default="/favorites/") == "/favorites/"


def test_on_site_targets_are_kept() -> None:
    request = RequestFactory().get("/", HTTP_HOST="sarah.localhost")
    assert safe_next(request, "/listings/x/?page=2") == "/listings/x/?page=2"
    assert safe_next(request, "http://sarah.localhost/search/") == "http://sarah.localhost/search/"
    assert safe_next(request, "http://mike.localhost/") == "/"  # another agent's site is off-site too


@pytest.mark.parametrize("target", ["/\\evil.com", "//evil.com"])
def test_login_never_sends_the_visitor_off_site(sarah_site: Any, target: str) -> None:
    from accounts.services import user_create

    with schema_context(sarah_site.schema_name):
        user_create(email="grace@example.com", password=PASSWORD, email_verified=True)
    client = Client(HTTP_HOST=sarah_site.get_primary_domain().domain)
    response = client.post(
        "/accounts/login/?" + urlencode({"next": target}), {"login": "grace@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\")) and "evil" not in location
