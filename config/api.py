"""The one JSON API (django-ninja): every app's router mounted under ``/api/``, its OpenAPI
document generated at ``/api/openapi.json`` (docs UI at ``/api/docs``, served from the
installed static files), and every failure answered in the one error shape (``api.errors``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import Swagger

from api.auth import api_key
from api.errors import ApiError, api_error_response, error_response
from api.openapi import PlanAwareNinjaAPI
from chat.api import router as chat_router
from cma.api import router as cma_router
from invest.api import router as invest_router
from listings.api import router as listings_router
from listings.api_keys import api_key_user
from listings.visitor_api import router as visitor_router
from rentals.api import router as rentals_router
from security.ratelimit import Throttled, rate_limited_response


def _key_checked(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The document and docs pages answer anyone, but a key that is sent is verified (and
    counted) as on every other endpoint."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            api_key(request)
        except ApiError as e:
            return api_error_response(e)
        except Throttled as e:
            return rate_limited_response(request, e.retry_after, e.message)
        return view(request, *args, **kwargs)

    return wrapper


api = PlanAwareNinjaAPI(
    title="ChatRealty API",
    version="1.0.0",
    description=(
        "Listings of the site's MLS sources, the visitor's swipes, favourites and saved searches, "
        "API keys, the assistant's stream, rentals, CMA reports and the Investor API (Investor 3). Errors are "
        '`{"error", "message", "fields"}` with the status. Reads need no credentials; a key that is '
        "sent is always verified and rate limited per key. Parameters marked `x-required-plan` need that "
        "plan or a higher one (403 `upgrade_required` otherwise)."
    ),
    urls_namespace="api",
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_url="/docs",
    docs_decorator=_key_checked,
    openapi_url="/openapi.json",
)
api.add_router("", listings_router)
api.add_router("", visitor_router)
api.add_router("", chat_router)
api.add_router("", rentals_router)
api.add_router("", cma_router)
api.add_router("", invest_router)
api_key.verifier = api_key_user


def _field_name(loc: tuple[Any, ...]) -> str:
    """``("body", "payload", "name")`` -> ``name``; ``("query", "params", "x")`` -> ``x``."""
    parts = [str(p) for p in loc[1:] if p not in ("payload", "params", "body")]
    return ".".join(parts) or str(loc[-1] if loc else "body")


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for err in exc.errors:
        name = _field_name(tuple(err.get("loc", ())))[:60]
        message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        fields.setdefault(name, message)
    return error_response(
        400, "invalid_parameters", "Some fields are invalid: " + ", ".join(sorted(fields)) + ".", fields
    )


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return api_error_response(exc)


@api.exception_handler(Throttled)
def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    return rate_limited_response(request, exc.retry_after, exc.message)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(401, "authentication_required", "Sign up or sign in first.", signup=reverse("account_signup"))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and exc.message.startswith("Cannot parse request body"):
        return error_response(400, "invalid_json", "Send a JSON object.")
    if exc.status_code == 403 and "CSRF" in exc.message:
        return error_response(403, "csrf_failed", "The CSRF token is missing or wrong: reload the page.")
    return error_response(exc.status_code, "error", exc.message)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(404, "not_found", str(exc) or "Not found.")
