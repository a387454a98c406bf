"""The URLconfs put the most requested addresses first (config/urls_common.py); moving them
there must not change what any address resolves to: nothing else shares their first segment,
the home route matches only the empty path, and Wagtail's catch-all still comes last."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from wagtail import views as wagtail_views

CONFS = ("config.urls_public", "config.urls_tenants")


def _first_segments(patterns: list[Any]) -> set[str]:
    """The first path segment of every address the patterns can match (includes mounted at ""
    are looked into)."""
    out: set[str] = set()
    for pattern in patterns:
        route = str(pattern.pattern)
        if isinstance(pattern, URLResolver) and route in ("", "^"):
            out |= _first_segments(pattern.url_patterns)
        else:
            out.add(route.lstrip("^").split("/")[0])
    return out


@pytest.mark.parametrize("conf", CONFS)
def test_the_moved_patterns_share_no_first_segment_with_any_other(conf: str) -> None:
    from config.urls_common import api_urlpatterns, listings_urlpatterns

    patterns = list(get_resolver(conf).url_patterns)
    home, *rest = patterns
    assert isinstance(home, URLPattern) and str(home.pattern) == ""
    moved = api_urlpatterns + listings_urlpatterns
    assert rest[: len(moved)] == moved
    others = rest[len(moved) : -1]  # the last: Wagtail's catch-all page serving
    assert isinstance(rest[-1], URLResolver) and rest[-1].urlconf_module.__name__ == "wagtail.urls"
    mine, theirs = _first_segments(moved), _first_segments(others)
    assert "" not in mine and "api" in mine and "listings" in mine and "communities" in mine
    assert mine.isdisjoint(theirs), mine & theirs


@pytest.mark.parametrize("conf", CONFS)
def test_addresses_resolve_as_before(conf: str) -> None:
    resolver = get_resolver(conf)
    home = resolver.resolve("/")
    assert home.func.__wrapped__ is wagtail_views.serve and home.kwargs == {"path": ""}
    assert resolver.resolve("/about-us/").func is wagtail_views.serve  # an editor's page
    assert resolver.resolve("/listings/1-main-st-gps1/").view_name == "listings:listing"
    assert resolver.resolve("/communities/palm-springs/").view_name == "listings:city"
    assert resolver.resolve("/api/listings").view_name == "api:listings_search"
    assert resolver.resolve("/cms/").view_name == "wagtailadmin_home"
    assert resolver.resolve("/accounts/login/").view_name == "account_login"
    assert resolver.resolve("/chat/").view_name == "chat:page"
