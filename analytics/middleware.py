"""Counts page views, listing views and searches of HTML pages (an in-memory append per page,
pushed to Redis by the process's shipper; the database is written later, in batches)."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from analytics.models import Kind
from analytics.recorder import record_request

# The request being served, for events recorded by signal receivers (swipes, favourites).
current_request: ContextVar[HttpRequest | None] = ContextVar("analytics_request", default=None)

SKIP_PREFIXES = (
    "/cms/",
    "/crm/",
    "/analytics/",
    "/api/",
    "/static/",
    "/media/",
    "/accounts/",
    "/platform/",
    "/billing/",
    "/network-login/",
    "/documents/",
    "/marketplace-media/",
    "/health",
    "/favicon",
    "/robots",
    "/sitemap",
)


def _event_of(request: HttpRequest) -> tuple[str, str]:
    path = request.path
    if path.startswith("/listings/") and path.count("/") == 3:
        return Kind.LISTING_VIEW, path.split("/")[2]
    if path == "/search/" and request.GET:
        terms = sorted((k, v) for k, v in request.GET.items() if k not in ("page", "sort"))
        return Kind.SEARCH, urlencode(terms)[:200]
    return Kind.PAGE_VIEW, path[:200]


class AnalyticsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        token = current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(token)
        if (
            settings.ANALYTICS_ENABLED
            and request.method == "GET"
            and response.status_code == 200
            and response.get("Content-Type", "").startswith("text/html")
            and not request.path.startswith(SKIP_PREFIXES)
        ):
            kind, key = _event_of(request)
            record_request(request, kind=kind, key=key, buffered=True)
        return response
