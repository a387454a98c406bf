from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from wagtail.contrib.redirects.middleware import RedirectMiddleware

from core.tenancy import current_schema


class SiteRedirectMiddleware(RedirectMiddleware):
    """Wagtail's editor-managed redirects, for agent sites only: the public schema has no
    Wagtail tables (docs/tenancy.md)."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if current_schema() == "public":
            return response
        return super().process_response(request, response)
