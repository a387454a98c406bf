"""Gives every visitor a signed ``anonymous_id`` cookie, so what they do before signing up
(chat, swipes) can be attached to their account later."""

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


class AnonymousIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        existing = _read_anonymous_id(request)
        request.anonymous_id = existing or uuid.uuid4().hex  # type: ignore[attr-defined]
        response = self.get_response(request)
        if existing is None:
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
