"""Error views of the security layer."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from security.allauth_limits import allauth_retry_after
from security.ratelimit import rate_limited_response


def too_many_requests(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler429`` of the URLconfs, which django-allauth answers its limits with; the
    ``Retry-After`` is read from allauth's own counters (``security.allauth_limits``)."""
    return rate_limited_response(request, allauth_retry_after(request))
