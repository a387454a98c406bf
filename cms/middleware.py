from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse
from wagtail.contrib.redirects.middleware import RedirectMiddleware


class SiteRedirectMiddleware(RedirectMiddleware):
    """Wagtail's editor-managed redirects, for agent sites only: the public schema has no
    Wagtail tables (docs/tenancy.md)."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if connection.schema_name == "public":
            return response
        return super().process_response(request, response)
