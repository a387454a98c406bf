"""Live progress of a site being provisioned, readable while the provisioning transaction is
still open (so not in the database): a small Redis hash per onboarding application."""

from __future__ import annotations

from typing import Any

import redis
from django.conf import settings

TTL_SECONDS = 24 * 3600
# The steps the wizard shows, in order (``tenants.provisioning`` runs them).
STEP_LABELS = {
    "check": "Checking your address",
    "schema": "Creating your site",
    "domain": "Connecting your address",
    "pages": "Creating your pages",
    "branding": "Applying your logo and colours",
    "owner": "Creating your editor account",
    "live": "Opening your site",
}


def _redis() -> redis.Redis:
    """The cache's pooled connection (django-redis), not a new client per call."""
    from django_redis import get_redis_connection

    return get_redis_connection("default")


def _key(application_id: int) -> str:
    # The cache's prefix keeps test runs (and checkouts sharing a Redis) apart.
    return f"{settings.CACHES['default'].get('KEY_PREFIX', 'cr')}:provision:{application_id}"


def progress_set(*, application_id: int, step: str, state: str = "running", error: str = "") -> None:
    """Record that ``step`` is running (or the whole run's final ``state``: live / failed)."""
    key = _key(application_id)
    pipe = _redis().pipeline()
    pipe.hset(key, mapping={"step": step, "state": state, "error": error})
    pipe.expire(key, TTL_SECONDS)
    pipe.execute()


def progress_clear(*, application_id: int) -> None:
    _redis().delete(_key(application_id))


def progress_get(*, application_id: int) -> dict[str, Any]:
    stored: dict[bytes, bytes] = _redis().hgetall(_key(application_id))  # type: ignore[assignment]
    raw = {k.decode(): v.decode() for k, v in stored.items()}
    step = raw.get("step", "")
    order = list(STEP_LABELS)
    position = order.index(step) if step in order else -1
    return {
        "state": raw.get("state", ""),
        "step": step,
        "error": raw.get("error", ""),
        "steps": [
            {
                "key": key,
                "label": label,
                "done": i < position or raw.get("state") == "live",
                "current": i == position and raw.get("state") == "running",
                "failed": i == position and raw.get("state") == "failed",
            }
            for i, (key, label) in enumerate(STEP_LABELS.items())
        ],
    }
