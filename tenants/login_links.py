"""Signed one-time links that move an agent from the network dashboard into their site's
admin without a second password. Valid two minutes, usable once, only on that site."""

from __future__ import annotations

import secrets
from typing import Any

import redis
from django.core import signing

SALT = "tenants.login_link"
MAX_AGE_SECONDS = 120


class LoginLinkError(Exception):
    pass


def _redis() -> redis.Redis:
    """The cache's pooled connection (django-redis), not a new client per call."""
    from django_redis import get_redis_connection

    return get_redis_connection("default")


def login_link_token(*, schema_name: str, email: str) -> str:
    return signing.dumps({"s": schema_name, "e": email, "n": secrets.token_urlsafe(16)}, salt=SALT, compress=True)


def login_link_redeem(*, token: str, schema_name: str) -> str:
    """Return the email the link was made for, or raise LoginLinkError."""
    try:
        payload: dict[str, Any] = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.SignatureExpired as exc:
        raise LoginLinkError("This sign-in link has expired; open your site from the dashboard again.") from exc
    except signing.BadSignature as exc:
        raise LoginLinkError("This sign-in link is not valid.") from exc
    if payload.get("s") != schema_name:
        raise LoginLinkError("This sign-in link is for another site.")
    first_use = _redis().set(f"login-link-used:{payload['n']}", 1, nx=True, ex=MAX_AGE_SECONDS * 2)
    if not first_use:
        raise LoginLinkError("This sign-in link has already been used.")
    return str(payload["e"])
