"""Serving the agents' verified custom domains under Django's host check (``config.hosts``).

``CustomDomainHostMiddleware`` runs first: a request whose host is not one of the configured
``ALLOWED_HOSTS`` patterns but is a verified custom domain (or its www) of a live site is
admitted for this request only; anything else goes on to Django's usual 400. The answer is kept
per process like the host -> site routing (``TENANT_HOST_CACHE_SECONDS``) and dropped the moment
any process changes a site or a domain (the network's host version, ``core.netversion.HOSTS``), so
a removed domain stops at once everywhere.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port, validate_host

from config.hosts import AllowedHosts, request_host_allow, request_host_forget
from core.tenancy import process_cache_allowed

CACHE_MAX = 1024
_answers: dict[str, tuple[float, int | None, bool]] = {}  # host -> (expiry, host version, served)


def custom_domain_served(host: str) -> bool:
    """Whether ``host`` is a verified custom domain (or its www) of a site we serve."""
    from tenants.domains import tls_allowed
    from tenants.middleware import host_version_follow

    ttl = float(getattr(settings, "TENANT_HOST_CACHE_SECONDS", 5.0))
    version = host_version_follow() if ttl > 0 and process_cache_allowed() else None
    cacheable, now = version is not None, time.monotonic()
    hit = _answers.get(host) if cacheable else None
    if hit is not None and hit[0] > now and hit[1] == version:  # kept under the current version only
        return hit[2]
    connection.set_schema_to_public()  # type: ignore[attr-defined]  # domains live there
    served = tls_allowed(host=host)
    if cacheable:
        if len(_answers) >= CACHE_MAX:
            _answers.clear()
        _answers[host] = (now + ttl, version, served)
    return served


class CustomDomainHostMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        allowed = settings.ALLOWED_HOSTS
        if not isinstance(allowed, AllowedHosts):
            return self.get_response(request)
        domain, _port = split_domain_port(request._get_raw_host())  # type: ignore[attr-defined]  # unvalidated
        domain = domain.lower()
        if not domain or validate_host(domain, allowed.configured()) or not custom_domain_served(domain):
            return self.get_response(request)
        token = request_host_allow(domain)
        try:
            return self.get_response(request)
        finally:
            request_host_forget(token)
