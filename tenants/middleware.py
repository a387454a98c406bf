"""Routing a request to its site's schema, and what visitors see when a site is not served."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_tenants.middleware.main import TenantMainMiddleware


class SiteTenantMiddleware(TenantMainMiddleware):
    """django-tenants' host routing, with a friendly 404 page for hosts we do not serve."""

    def no_tenant_found(self, request: HttpRequest, hostname: str) -> HttpResponse:
        return render(request, "errors/unknown_site.html", {"hostname": hostname}, status=404)


class SiteSuspendedMiddleware:
    """An agent site whose plan lapsed past the grace period shows a "temporarily unavailable"
    page to the public; its owner and staff can still sign in to pay and manage it."""

    ALWAYS_ALLOWED_PREFIXES = ("/accounts/", "/cms/", "/billing/", "/static/", "/media/", "/healthz")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        if tenant is not None and not tenant.is_public and not tenant.is_active:
            user = getattr(request, "user", None)
            is_staff = bool(user and user.is_authenticated and user.is_staff)
            if not is_staff and not request.path.startswith(self.ALWAYS_ALLOWED_PREFIXES):
                return render(request, "errors/site_unavailable.html", {"site": tenant}, status=503)
        return self.get_response(request)
