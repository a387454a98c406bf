"""The client's address, the one way every limit and log line gets it.

In production gunicorn listens on a unix socket behind nginx, so ``REMOTE_ADDR`` is empty and
the client is in ``X-Forwarded-For``. That header is a list each proxy appends the address of
its peer to, so only the entries our own proxies wrote can be believed: with
``ALLAUTH_TRUSTED_PROXY_COUNT = N`` (env ``TRUSTED_PROXY_COUNT``) the client is the N-th entry
from the right; anything further left was sent by the client and is ignored. With N = 0 the
header is ignored and ``REMOTE_ADDR`` is the client. ``ALLAUTH_TRUSTED_CLIENT_IP_HEADER`` (for
example ``X-Real-IP``) names a single header a trusted proxy sets instead.

django-allauth reads the same two settings, and its adapter (``accounts.adapters``) asks this
module, so its limits, ours (``security.ratelimit``) and django-ratelimit's ``ip`` key
(``RATELIMIT_IP_META_KEY``) all see one address.
"""

from __future__ import annotations

import ipaddress
import logging

from django.conf import settings
from django.http import HttpRequest

logger = logging.getLogger(__name__)

UNKNOWN = "unknown"


def _clean(value: str | None) -> str | None:
    """A normalised IP address from a header or ``REMOTE_ADDR`` value, or None. Accepts the
    forms proxies write: ``1.2.3.4``, ``1.2.3.4:5678``, ``[2001:db8::1]:443``, ``2001:db8::1``."""
    if not value:
        return None
    value = value.strip()
    if value.startswith("["):  # [v6]:port
        value = value[1 : value.find("]")] if "]" in value else ""
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _from_forwarded_for(request: HttpRequest, trusted: int) -> str | None:
    hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    if not hops:
        return None
    # Fewer entries than trusted proxies: the request skipped an outer proxy (a direct hit on
    # nginx behind a CDN). Every entry was then written by one of ours; the first is the client.
    return hops[-trusted] if len(hops) >= trusted else hops[0]


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP address as our trusted proxies saw it, or None when no trustworthy
    address is known (a misconfigured proxy count on a unix socket)."""
    header = getattr(settings, "ALLAUTH_TRUSTED_CLIENT_IP_HEADER", None)
    if header:
        return _clean(request.headers.get(header))
    trusted = int(getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0) or 0)
    if trusted > 0:
        forwarded = _from_forwarded_for(request, trusted)
        if forwarded is not None:
            return _clean(forwarded)
    return _clean(request.META.get("REMOTE_ADDR"))


def client_ip_key(request: HttpRequest) -> str:
    """``client_ip`` as a rate-limit bucket: IPv6 addresses by their /64 (one customer's
    allocation, or rotating addresses would each get a fresh bucket); ``"unknown"`` when there
    is no address, so such requests share one bucket rather than escape limits."""
    return client_ip_bucket(request) or UNKNOWN


def client_ip_bucket(request: HttpRequest) -> str | None:
    """``client_ip_key`` for meters that should not lump unknown clients together (a visitor's
    monthly allowance): None when there is no trustworthy address."""
    ip = client_ip(request)
    if ip is None:
        logger.warning(
            "no client address (REMOTE_ADDR empty and no trusted X-Forwarded-For): "
            "check TRUSTED_PROXY_COUNT / ALLAUTH_TRUSTED_CLIENT_IP_HEADER"
        )
        return None
    address = ipaddress.ip_address(ip)
    if address.version == 6:
        prefix = int(getattr(settings, "ALLAUTH_RATE_LIMIT_IPV6_PREFIX", 64))
        return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)
    return ip


def ratelimit_ip(request: HttpRequest) -> str:
    """For django-ratelimit's ``RATELIMIT_IP_META_KEY``: its ``ip`` key must never fail on an
    empty ``REMOTE_ADDR``."""
    return client_ip(request) or "0.0.0.0"
