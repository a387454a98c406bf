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


def is_outage(exception: BaseException | None) -> bool:
    """Whether ``exception`` means a backing service could not be reached (the listings store
    restarting, Redis or PostgreSQL unreachable): the answer is a 503 with ``Retry-After``, not a
    server error. A bug or a bad query stays a 500."""
    from django.db.utils import InterfaceError, OperationalError
    from pymongo.errors import ConnectionFailure
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    if isinstance(exception, (ConnectionFailure, RedisConnectionError, RedisTimeoutError)):
        return True
    if isinstance(exception, (OperationalError, InterfaceError)):
        # psycopg's own OperationalError is a lost or refused connection; its subclasses
        # (deadlock, serialization failure) are the app's to handle and stay 500s.
        cause = exception.__cause__
        return cause is None or type(cause).__name__ in ("OperationalError", "InterfaceError")
    return False
