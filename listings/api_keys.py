"""API keys for the search API: creation and revocation (services), and authenticating a
request that carries ``Authorization: Bearer cr_<prefix>_<secret>`` (each key's rate is limited
by the rate-limit layer: ``security.policy``).

Requests without the header stay public: the sites' own pages call the same API.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from billing.plans import Feature
from billing.selectors import entitlement_check
from listings.models import ApiKey
from security.policy import API_KEY, API_KEY_FAILURES
from security.ratelimit import limit_hit, rate_limited_response

KEY_RE_PREFIX = "cr_"


class ApiKeyNotAllowed(Exception):
    def __init__(self, entitlement: Any) -> None:
        super().__init__("API access needs the Investor 3 plan.")
        self.entitlement = entitlement


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_key_create(*, user: Any, name: str) -> tuple[ApiKey, str]:
    """Create a key for ``user`` if their plan includes API access; returns (row, raw key)."""
    entitlement = entitlement_check(user=user, feature=Feature.API_ACCESS)
    if not entitlement.allowed:
        raise ApiKeyNotAllowed(entitlement)
    prefix = secrets.token_hex(6)
    raw = f"{KEY_RE_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(user=user, name=(name or "API key")[:80], prefix=prefix, key_hash=_hash(raw))
    return key, raw


def api_key_revoke(*, user: Any, key_id: int) -> bool:
    return bool(ApiKey.objects.filter(pk=key_id, user=user, revoked_at=None).update(revoked_at=timezone.now()))


def _denied(status: int, code: str, message: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": code, "message": message, "fields": {}, **extra}, status=status)


def api_key_authenticate(request: HttpRequest) -> JsonResponse | None:
    """None when the request may proceed; a 401/403/429 JSON response otherwise.

    Through the rate-limit layer (limits in ``security.policy``): each verified key's rate, and
    failed checks per client address."""
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    if limit_hit(request, group="api-key-failures", limit=API_KEY_FAILURES, increment=False) is not None:
        return _failed(request, "Too many invalid API keys from your address. Please wait.")
    raw = header.removeprefix("Bearer ").strip()
    parts = raw.removeprefix(KEY_RE_PREFIX).split("_", 1)
    if not raw.startswith(KEY_RE_PREFIX) or len(parts) != 2:
        return _failed(request, "Send your key as: Authorization: Bearer cr_…")
    key = ApiKey.objects.select_related("user").filter(prefix=parts[0], revoked_at=None).first()
    if key is None or not hmac.compare_digest(key.key_hash, _hash(raw)):
        return _failed(request, "This API key is not valid or was revoked.")
    if not entitlement_check(user=key.user, feature=Feature.API_ACCESS).allowed:
        return _denied(403, "upgrade_required", "API access needs the Investor 3 plan.", upgrade=True)
    denied = limit_hit(request, group="api-key", limit=API_KEY)
    if denied is not None:
        return rate_limited_response(request, denied.retry_after, "Too many requests for this API key.")  # type: ignore[return-value]
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return None


def _failed(request: HttpRequest, message: str) -> JsonResponse:
    denied = limit_hit(request, group="api-key-failures", limit=API_KEY_FAILURES)
    if denied is not None:
        return rate_limited_response(request, denied.retry_after)  # type: ignore[return-value]
    return _denied(401, "invalid_api_key", message)
