"""Gives every visitor a signed ``anonymous_id`` cookie, so what they do before signing up
(chat, swipes) can be attached to their account later.

JSON reads (GET/HEAD under ``/api/``) still get ``request.anonymous_id`` but never a new
cookie: the pages a visitor browses set it, and an API read (a search, a map viewport) has
nothing to attach later. Without this every cookie-less API call (scripts, API-key clients)
paid for signing a cookie and got a ``Set-Cookie`` that makes the answer uncacheable."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

SALT = "accounts.anonymous_id"


def _read_anonymous_id(request: HttpRequest) -> str | None:
    try:
        value = request.get_signed_cookie(
            settings.ANONYMOUS_ID_COOKIE, salt=SALT, max_age=settings.ANONYMOUS_ID_MAX_AGE
        )
    except (KeyError, signing.BadSignature):
        return None
    try:
        return uuid.UUID(value).hex
    except ValueError:
        return None


def _is_api_read(request: HttpRequest) -> bool:
    return request.method in ("GET", "HEAD") and request.path_info.startswith("/api/")


class AnonymousIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        existing = _read_anonymous_id(request) if settings.ANONYMOUS_ID_COOKIE in request.COOKIES else None
        request.anonymous_id = existing or uuid.uuid4().hex  # type: ignore[attr-defined]
        response = self.get_response(request)
        if existing is None and not _is_api_read(request):
            response.set_signed_cookie(
                settings.ANONYMOUS_ID_COOKIE,
                request.anonymous_id,  # type: ignore[attr-defined]
                salt=SALT,
                max_age=settings.ANONYMOUS_ID_MAX_AGE,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response
