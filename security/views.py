"""Error views of the security layer."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from security.ratelimit import rate_limited_response

# django-allauth's own limits (failed logins, confirmation mails) do not say when they reset;
# their windows are a few minutes.
ALLAUTH_RETRY_AFTER = 300


def too_many_requests(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler429`` of the URLconfs, which django-allauth answers its limits with."""
    return rate_limited_response(request, ALLAUTH_RETRY_AFTER)
