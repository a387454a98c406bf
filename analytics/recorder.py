"""Recording an event puts it (with its site's schema) on a Redis list that a periodic task
flushes into each site's table in batches. Page views go through the process's background
shipper (``analytics.shipper``: an in-memory append on the request path); other events, rarer
and recorded beside a database write, are pushed at once.

Privacy: bots are left out; a visitor is a hash of (daily salt, client address, user agent)
truncated to 64 bits, and the salt is random per day and forgotten after two, so no raw IP is
ever stored and no visitor can be followed across days. Under Do Not Track or Global Privacy
Control the event is still counted (a page was viewed) but carries no visitor hash at all."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
import secrets
import uuid
from datetime import date
from typing import Any

from django.conf import settings
from django.utils import timezone

from analytics.shipper import shipper

log = logging.getLogger(__name__)

BOT_UA = re.compile(
    r"bot|crawl|spider|slurp|facebookexternalhit|headless|lighthouse|python-requests|curl|wget|httpx|"
    r"go-http-client|java/|okhttp|monitor|preview|scan",
    re.IGNORECASE,
)

_salt_cache: dict[date, str] = {}


def queue_key() -> str:
    return f"{settings.CACHES['default'].get('KEY_PREFIX', '')}:analytics:events"


def redis() -> Any:
    from django_redis import get_redis_connection

    return get_redis_connection("default")


def _daily_salt(day: date) -> str:
    """One random salt per day shared by every process (Redis), kept two days."""
    salt = _salt_cache.get(day)
    if salt is None:
        key = f"{settings.CACHES['default'].get('KEY_PREFIX', '')}:analytics:salt:{day.isoformat()}"
        conn = redis()
        conn.set(key, secrets.token_hex(16), nx=True, ex=2 * 86400)
        salt = conn.get(key).decode()
        _salt_cache.clear()
        _salt_cache[day] = salt
    return salt


@functools.lru_cache(maxsize=2048)
def _bot_agent(ua: str) -> bool:
    # Few distinct user agents make most traffic: the pattern runs once per agent string.
    return not ua or bool(BOT_UA.search(ua))


def is_bot(request: Any) -> bool:
    return _bot_agent(request.headers.get("User-Agent", "")[:512])


def opted_out(request: Any) -> bool:
    return request.headers.get("DNT") == "1" or request.headers.get("Sec-GPC") == "1"


def visitor_hash(request: Any) -> str:
    from security.client_ip import client_ip

    if opted_out(request):
        return ""
    day = timezone.localdate()
    raw = f"{_daily_salt(day)}|{client_ip(request) or ''}|{request.headers.get('User-Agent', '')}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def record(*, schema_name: str, kind: str, key: str = "", visitor: str = "", buffered: bool = False) -> None:
    """Queue one event (``buffered``: through the background shipper); never raises (analytics
    must not break a page)."""
    event = {
        "s": schema_name,
        "k": kind,
        "key": key[:200],
        "v": visitor,
        "t": timezone.now().timestamp(),
        "u": uuid.uuid4().hex,
    }
    payload = json.dumps(event, separators=(",", ":"))
    try:
        if buffered:
            shipper.put(payload)
        else:
            redis().rpush(queue_key(), payload)
    except Exception:
        log.warning("analytics event dropped (Redis unavailable)", exc_info=True)


def record_request(request: Any, *, kind: str, key: str = "", buffered: bool = False) -> None:
    """An event caused by this request (bots skipped)."""
    from core.tenancy import current_schema

    if is_bot(request):
        return
    try:
        visitor = visitor_hash(request)
    except Exception:
        visitor = ""
    record(schema_name=current_schema(), kind=kind, key=key, visitor=visitor, buffered=buffered)
