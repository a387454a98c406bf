"""The one JSON error shape of every endpoint that answers JSON (API, chat, billing, pages' JSON
actions, rate limits): ``{"error": code, "message": text, "fields": {field: text}, ...}``.

``error`` is a short stable code clients branch on, ``message`` a sentence for people, ``fields``
the per-field problems of a request (empty when none); extra keys add detail (an entitlement's
``upgrade_url``, a rate limit's ``retry_after``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import JsonResponse


def error_body(code: str, message: str, fields: Mapping[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {"error": code, "message": message, "fields": dict(fields or {}), **extra}


def json_error(
    status: int, code: str, message: str, fields: Mapping[str, Any] | None = None, **extra: Any
) -> JsonResponse:
    return JsonResponse(error_body(code, message, fields, **extra), status=status)
