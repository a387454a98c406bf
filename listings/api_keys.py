"""API keys for the search API: creation and revocation (services), and authenticating a
request that carries ``Authorization: Bearer cr_<prefix>_<secret>`` with a per-key rate limit.

Requests without the header stay public: the sites' own pages call the same API.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from typing import Any

import redis
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from billing.plans import Feature
from billing.selectors import entitlement_check
from listings.models import ApiKey

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
    response = JsonResponse({"error": code, "message": message, "fields": {}, **extra}, status=status)
    if "retry_after" in extra:
        response["Retry-After"] = str(extra["retry_after"])
    return response


def _over_rate_limit(prefix: str) -> int | None:
    """Seconds to wait when this key used up its requests for the current minute."""
    window = int(time.time() // 60)
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1)
    counter = f"apikey-rate:{prefix}:{window}"
    pipe = client.pipeline()
    pipe.incr(counter)
    pipe.expire(counter, 120)
    used, _ = pipe.execute()
    if int(used) > settings.API_KEY_RATE_PER_MINUTE:
        return 60 - int(time.time() % 60)
    return None


def api_key_authenticate(request: HttpRequest) -> JsonResponse | None:
    """None when the request may proceed; a 401/403/429 JSON response otherwise."""
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    raw = header.removeprefix("Bearer ").strip()
    parts = raw.removeprefix(KEY_RE_PREFIX).split("_", 1)
    if not raw.startswith(KEY_RE_PREFIX) or len(parts) != 2:
        return _denied(401, "invalid_api_key", "Send your key as: Authorization: Bearer cr_…")
    key = ApiKey.objects.select_related("user").filter(prefix=parts[0], revoked_at=None).first()
    if key is None or not hmac.compare_digest(key.key_hash, _hash(raw)):
        return _denied(401, "invalid_api_key", "This API key is not valid or was revoked.")
    if not entitlement_check(user=key.user, feature=Feature.API_ACCESS).allowed:
        return _denied(403, "upgrade_required", "API access needs the Investor 3 plan.", upgrade=True)
    wait = _over_rate_limit(key.prefix)
    if wait is not None:
        return _denied(429, "rate_limited", "Too many requests for this API key.", retry_after=wait)
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return None
