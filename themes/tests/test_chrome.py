"""The page chrome rendered once per site for signed-out visitors (themes/templatetags/chrome.py):
the same bytes as rendering it, one site's chrome never on another's pages, a signed-in
visitor's own header (their email, the sign-out form and its CSRF token) never kept or shown to
anyone else, and a fragment holding a CSRF token never kept."""

from __future__ import annotations

import re
from typing import Any

from django.template import Context, Template
from django.test import Client, RequestFactory
from django_tenants.utils import schema_context

from themes.templatetags import chrome

PAGE = "/accounts/login/"  # a plain page on base.html
HEADER = re.compile(r"<header class=\"site-header.*?</header>", re.S)
FOOTER = re.compile(r"<footer class=\"site-footer\">.*?</footer>", re.S)


def chrome_of(html: str) -> tuple[str, str]:
    header, footer = HEADER.search(html), FOOTER.search(html)
    assert header is not None and footer is not None
    return header.group(0), footer.group(0)


def test_kept_chrome_is_what_rendering_gives_and_stays_on_its_site(
    sarah_site: Any, mike_site: Any, site_client: Any
) -> None:
    chrome.chrome_cache_clear()
    sarah, mike = site_client(sarah_site), site_client(mike_site)
    fresh_sarah = chrome_of(sarah.get(PAGE).content.decode())
    fresh_mike = chrome_of(mike.get(PAGE).content.decode())
    assert chrome._fragments  # kept after the first page
    kept_sarah = chrome_of(sarah.get(PAGE).content.decode())
    assert kept_sarah == fresh_sarah and "Sarah Chen Real Estate" in kept_sarah[0]
    assert chrome_of(mike.get(PAGE).content.decode()) == fresh_mike
    assert "Sarah Chen" not in "".join(fresh_mike) and "Mike Alvarez" not in "".join(kept_sarah)
    # The footer's report link names the page it is on: outside the kept fragment.
    assert 'href="/report/?path=/accounts/signup/"' in chrome_of(sarah.get("/accounts/signup/").content.decode())[1]


def test_a_signed_in_visitors_header_is_their_own(sarah_site: Any, site_client: Any) -> None:
    from accounts.models import User

    chrome.chrome_cache_clear()
    anonymous = site_client(sarah_site)
    before = chrome_of(anonymous.get(PAGE).content.decode())[0]
    with schema_context(sarah_site.schema_name):
        user = User.objects.create_user(email="chrome-visitor@example.com", password="x-pass-2026-long")
    member = Client(HTTP_HOST=sarah_site.get_primary_domain().domain)
    with schema_context(sarah_site.schema_name):
        member.force_login(user)
    header = chrome_of(member.get("/search/").content.decode())[0]
    assert "chrome-visitor@example.com" in header and "csrfmiddlewaretoken" in header
    assert "Sign in" not in header and header != before
    after = chrome_of(anonymous.get(PAGE).content.decode())[0]
    assert after == before and "chrome-visitor@example.com" not in after


def test_a_fragment_holding_a_csrf_token_is_never_kept(sarah_site: Any) -> None:
    from django.contrib.auth.models import AnonymousUser
    from django.template.context_processors import csrf

    template = Template('{% load chrome %}{% sitechrome "csrf-test" %}{% csrf_token %}{% endsitechrome %}')
    tokens = []
    with schema_context(sarah_site.schema_name):
        for _ in range(2):
            request = RequestFactory().get("/", HTTP_HOST=sarah_site.get_primary_domain().domain)
            context = {"request": request, "user": AnonymousUser(), **csrf(request)}
            tokens.append(template.render(Context(context)))
    assert all("csrfmiddlewaretoken" in t for t in tokens) and tokens[0] != tokens[1]
    assert not [k for k in chrome._fragments if k[0] == "csrf-test"]
