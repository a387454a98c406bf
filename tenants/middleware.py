"""Routing a request to its site's schema, and what visitors see when a site is not served."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_tenant_domain_model, get_tenant_model

from core.netversion import HOSTS
from core.tenancy import process_cache_allowed

HOST_CACHE_SECONDS = 5.0  # default of settings.TENANT_HOST_CACHE_SECONDS
HOST_CACHE_MAX = 1024
_hosts: dict[str, tuple[float, Any]] = {}


# The network's host version this process's answers in _hosts belong to.
_answers_version: list[int | None] = [None]
HOST_VERSION_CHECK_SECONDS = 0.25  # default of settings.TENANT_HOST_VERSION_CHECK_SECONDS


def _host_changes_committed() -> None:
    """After a site or domain change committed here: drop this process's answers again (a
    request between the save and the commit may have cached the old row) and tell the others."""
    _hosts.clear()
    HOSTS.bump()  # also makes this process's next follow read the new number


def tenant_host_cache_clear(**_: Any) -> None:
    """Forget every cached host -> site answer of this process (on any Tenant/Domain save or
    delete here) and, once the change is committed, tell every other process to do the same
    (``core.netversion.HOSTS``)."""
    from django.db import transaction

    _hosts.clear()
    transaction.on_commit(_host_changes_committed)


def host_version_follow() -> int | None:
    """The network's host version, having dropped this process's answers if another process
    changed sites or domains since; None when it can't be read (then nothing is cached).

    The version is read at most once per ``TENANT_HOST_VERSION_CHECK_SECONDS`` (0.25 s; 0
    reads it on every request) per process (``core.netversion``), a failed read too: one Redis
    round trip per request was a tenth of a search's server CPU, and while Redis hangs each
    attempt waits for its timeout. So a removed or moved domain stops being served by every
    other process within that bound (this process: at once), instead of on the very next
    request; ``tests/test_custom_domains.py`` checks both."""
    interval = float(getattr(settings, "TENANT_HOST_VERSION_CHECK_SECONDS", HOST_VERSION_CHECK_SECONDS))
    version = HOSTS.follow(interval)
    if version is None or version != _answers_version[0]:
        _hosts.clear()
        _answers_version[0] = version
    return version


for _model in (get_tenant_model(), get_tenant_domain_model()):
    for _signal in (post_save, post_delete):
        _signal.connect(tenant_host_cache_clear, sender=_model, weak=False, dispatch_uid=f"host-cache-{_model}")


class SiteTenantMiddleware(TenantMainMiddleware):
    """django-tenants' host routing, with a friendly 404 page for hosts we do not serve.

    The host -> site answer is kept per process for ``TENANT_HOST_CACHE_SECONDS`` (default 5;
    0 turns it off), so most requests run no SQL for routing (before: a health check, a
    ``SET search_path`` and a ``tenants_domain JOIN tenants_tenant`` query on every request).
    A Tenant or Domain saved or deleted anywhere empties every process's cache within
    ``TENANT_HOST_VERSION_CHECK_SECONDS`` (a version number in Redis, ``core.netversion.HOSTS``,
    read at most that often per process); a queryset ``update()`` must
    call ``tenant_host_cache_clear()`` itself. Unknown hosts are not cached. Each request gets
    its own copy of the tenant instance.

    Nothing is cached or served from the cache while the connection is inside a transaction
    (a row read there may be uncommitted or rolled back, so it must not outlive it): requests
    are not, and tests, which each run in a rolled-back transaction, keep reading the row."""

    def get_tenant(self, domain_model: Any, hostname: str) -> Any:
        ttl = float(getattr(settings, "TENANT_HOST_CACHE_SECONDS", HOST_CACHE_SECONDS))
        if ttl <= 0 or not process_cache_allowed() or host_version_follow() is None:
            return super().get_tenant(domain_model, hostname)
        now = time.monotonic()
        hit = _hosts.get(hostname)
        if hit is not None and hit[0] > now:
            return copy.copy(hit[1])
        tenant = super().get_tenant(domain_model, hostname)
        if len(_hosts) >= HOST_CACHE_MAX:
            _hosts.clear()
        _hosts[hostname] = (now + ttl, copy.copy(tenant))
        return tenant

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


class TlsAskMiddleware:
    """Answers a reverse proxy's "may I get a certificate for this host?" before any site
    routing (the proxy asks on its own address, not a site's host): Caddy's on-demand TLS
    ``ask`` (``GET /.well-known/chatrealty/tls-ask?domain=<host>``): 200 for a host we serve
    (a verified custom domain, a platform subdomain, the flagship), 404 for anything else, so
    nobody can make us request certificates for domains that are not ours."""

    PATH = "/.well-known/chatrealty/tls-ask"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path != self.PATH:
            return self.get_response(request)
        from tenants.domains import tls_allowed

        connection.set_schema_to_public()  # type: ignore[attr-defined]
        allowed = tls_allowed(host=request.GET.get("domain", ""))
        return HttpResponse("yes" if allowed else "no", status=200 if allowed else 404, content_type="text/plain")
