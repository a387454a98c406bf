"""The API's side of the one JSON error shape (``core.errors``: ``{"error": code, "message":
text, "fields": {name: reason}}`` plus optional keys such as ``upgrade``, ``signup``): its
OpenAPI schema (``ErrorOut``), the exception endpoints raise (``ApiError``), and ``errors(...)``
with which every operation declares the statuses it may answer. ``config/api.py`` turns
validation errors, rate limits and ninja's own errors into it.
"""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse
from ninja import Schema
from pydantic import ConfigDict, Field

from core.errors import error_body, json_error


class ErrorOut(Schema):
    """Every 4xx answer of the API."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"additionalProperties": True})

    error: str = Field(description="Machine-readable code, e.g. invalid_parameters, not_found, rate_limited.")
    message: str = Field(description="A sentence for a person.")
    fields: dict[str, str] = Field(default_factory=dict, description="Field name -> why its value was refused.")


class ApiError(Exception):
    """Raise from an endpoint (or below it): answered as the error shape with ``status``."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        fields: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.fields = fields or {}
        self.headers = headers or {}
        self.extra = extra


class InvalidParameters(ApiError):
    """Field name -> reason, for every value refused (all of them at once)."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(
            400, "invalid_parameters", "Some parameters are invalid: " + ", ".join(sorted(fields)) + ".", fields
        )

    def payload(self) -> dict[str, Any]:
        return error_body(self.code, self.message, self.fields)


error_response = json_error


def api_error_response(exc: ApiError) -> JsonResponse:
    response = error_response(exc.status, exc.code, exc.message, exc.fields, **exc.extra)
    for name, value in exc.headers.items():
        response[name] = value
    return response


STATUS_TEXT = {
    400: "Invalid parameters or body (fields lists each one)",
    401: "Authentication needed, or the API key is not valid",
    403: "Not allowed (plan, CSRF, another site)",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    415: "Send JSON",
    429: "Too many requests (Retry-After)",
}


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    """``response=`` entries for these error statuses, all with the one error shape."""
    return dict.fromkeys(statuses, ErrorOut)


# What every operation may answer: bad input, an API key that fails, too many requests.
COMMON = (400, 401, 403, 429)
