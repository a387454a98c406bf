"""API keys for the search API: creation and revocation (services), and authenticating a
request that carries ``Authorization: Bearer cr_<prefix>_<secret>`` (each key's rate is limited
by the rate-limit layer: ``security.policy``).

Requests without the header stay public: the sites' own pages call the same API.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any, NoReturn

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from api.errors import ApiError
from billing.plans import Feature
from billing.selectors import entitlement_check
from listings.models import ApiKey
from security.policy import API_KEY, API_KEY_FAILURES
from security.ratelimit import Throttled, limit_hit

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


def api_key_user(request: HttpRequest) -> Any | None:
    """The account of the request's API key; None without an ``Authorization`` header.

    Raises ``ApiError`` (401 bad key, 403 plan lapsed) or ``Throttled`` (429), through the
    rate-limit layer (limits in ``security.policy``): each verified key's rate, and failed
    checks per client address."""
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    if limit_hit(request, group="api-key-failures", limit=API_KEY_FAILURES, increment=False) is not None:
        _failed(request, "Too many invalid API keys from your address. Please wait.")
    raw = header.removeprefix("Bearer ").strip()
    parts = raw.removeprefix(KEY_RE_PREFIX).split("_", 1)
    if not raw.startswith(KEY_RE_PREFIX) or len(parts) != 2:
        _failed(request, "Send your key as: Authorization: Bearer cr_…")
    key = ApiKey.objects.select_related("user").filter(prefix=parts[0], revoked_at=None).first()
    if key is None or not hmac.compare_digest(key.key_hash, _hash(raw)):
        _failed(request, "This API key is not valid or was revoked.")
    assert key is not None
    if not entitlement_check(user=key.user, feature=Feature.API_ACCESS).allowed:
        raise ApiError(403, "upgrade_required", "API access needs the Investor 3 plan.", upgrade=True)
    denied = limit_hit(request, group="api-key", limit=API_KEY)
    if denied is not None:
        raise Throttled(denied.retry_after, "Too many requests for this API key.")
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key.user


def _failed(request: HttpRequest, message: str) -> NoReturn:
    denied = limit_hit(request, group="api-key-failures", limit=API_KEY_FAILURES)
    if denied is not None:
        raise Throttled(denied.retry_after)
    raise ApiError(401, "invalid_api_key", message)
