"""The API's security schemes, as django-ninja auth callbacks (each is named in the OpenAPI
document's ``securitySchemes``):

- ``ApiKeyAuth``: ``Authorization: Bearer cr_<prefix>_<secret>`` (Investor 3 keys, per site;
  verified and rate limited per key by ``listings.api_keys``);
- ``SessionCookieAuth``: the site's session cookie, with Django's CSRF check on writes (the
  ``X-CSRFToken`` header the front-end sends).

Operations list the callbacks in order; the first that answers wins. ``PUBLIC`` ends with an
anonymous visitor (documented as the empty requirement ``{}``): reads of the site's listings
need no key, but a key that is sent is always verified, and a cookie-bearing write is always
CSRF-checked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class ApiKeyAuth(HttpBearer):
    """Verifies with ``verifier`` (request -> the key's account, or None without a header;
    raises ``ApiError``/``Throttled``), set where the API is assembled (``config/api.py``:
    ``listings.api_keys.api_key_user``), so this package imports no app."""

    openapi_description = "An API key (Investor 3 plan): `Authorization: Bearer cr_…`."
    verifier: Callable[[HttpRequest], Any | None] | None = None

    def __call__(self, request: HttpRequest) -> Any | None:
        # Any Authorization header is checked (a malformed one is a 401, never ignored). Asked of
        # META: ``request.headers`` would build a dict of every header (~17 us) on each request.
        if "HTTP_AUTHORIZATION" not in request.META:
            return None
        return self.authenticate(request, "")

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        if self.verifier is None:
            raise ImproperlyConfigured("api.auth.api_key.verifier is not set (see config/api.py)")
        return self.verifier(request)


class SessionCookieAuth(APIKeyCookie):
    """A signed-in visitor of the site; writes need the CSRF token (``X-CSRFToken``)."""

    param_name = settings.SESSION_COOKIE_NAME
    openapi_description = "The site's session cookie; writes also send the CSRF token in `X-CSRFToken`."

    def _get_key(self, request: HttpRequest) -> str | None:
        if request.method in SAFE_METHODS:  # reads change nothing: no CSRF work on the hot path
            return request.COOKIES.get(self.param_name)
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any | None:
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None


class AnonymousVisitor:
    """Anyone: the pages' own calls (the cookie-identified visitor, ``request.anonymous_id``)."""

    def __call__(self, request: HttpRequest) -> Any:
        return getattr(request, "user", None) or True


api_key = ApiKeyAuth()
session = SessionCookieAuth()
anonymous = AnonymousVisitor()

PUBLIC = [api_key, session, anonymous]
SIGNED_IN = [session]
KEY_OR_SESSION = [api_key, session]
# OpenAPI: "no credentials" is one of the accepted requirements of a public operation.
PUBLIC_OPENAPI: dict[str, Any] = {"security": [{}]}


def request_user(request: HttpRequest) -> Any:
    """The account the request acts for: the API key's owner, else the session's user."""
    auth = getattr(request, "auth", None)
    if auth is not None and getattr(auth, "is_authenticated", False):
        return auth
    return request.user
