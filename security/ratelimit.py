"""The one rate-limit layer: django-ratelimit counters in the shared Redis cache, keyed on the
client address (``security.client_ip``), the account, an API key or a submitted field, and
applied by one middleware from one policy table (``security.policy.POLICY``).

Three ways in, one behaviour (429 with ``Retry-After``; JSON ``{"error", "message",
"fields"}`` under ``/api/``, a friendly page elsewhere):

- a row in ``POLICY`` (URL name or path pattern, methods, limits): ``RateLimitMiddleware``
  counts matching requests before the view runs. Views carry no decorators, so moving a view
  to another module or API framework keeps its limit;
- ``limit_hit(request, group=..., limit=...)`` inside code that only knows after some work
  whether a request costs something (failed API-key checks, cache misses);
- ``raise Throttled(retry_after, message)`` from anywhere below a view (a selector, a cache):
  the middleware turns it into the same 429.

Counters are fixed windows (django-ratelimit), per site (cache keys carry the schema through
``django_tenants.cache.make_key``). If Redis is unreachable requests are let through and the
failure is logged: the limits protect the service, they must not take it down.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import get_usage

from core.errors import json_error
from security.client_ip import client_ip_key

logger = logging.getLogger(__name__)

ALL_METHODS: frozenset[str] = frozenset()  # an empty set matches every method
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
READS = frozenset({"GET", "HEAD"})
_API_KEY = re.compile(r"^Bearer\s+cr_([0-9a-f]{1,32})_\S+$")


class Throttled(Exception):
    """Raise from any code a view calls: the middleware answers 429 with ``Retry-After``."""

    def __init__(self, retry_after: int, message: str = "Too many requests. Please wait a moment.") -> None:
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))
        self.message = message


# ---- keys: who a counter counts ---------------------------------------------------------------


def _key_user(request: HttpRequest) -> str | None:
    user = getattr(request, "user", None)
    return f"user:{user.pk}" if user is not None and user.is_authenticated else None


def _key_api_key(request: HttpRequest) -> str | None:
    """The public prefix of a bearer API key (``cr_<prefix>_<secret>``); its validity is
    checked by the API itself, whose failures have their own limit."""
    m = _API_KEY.match(request.headers.get("Authorization", ""))
    return f"apikey:{m.group(1)}" if m else None


def _key_field(name: str) -> Callable[[HttpRequest], str | None]:
    def key(request: HttpRequest) -> str | None:
        value = request.POST.get(name, "") if request.method == "POST" else ""
        value = value.strip().lower()[:254]
        return f"{name}:{value}" if value else None

    return key


KEYS: dict[str, Callable[[HttpRequest], str | None]] = {
    # The client address from the trusted proxy: every anonymous limit. Never the anonymous-id
    # cookie, which a client without cookies gets afresh on every request.
    "ip": lambda request: f"ip:{client_ip_key(request)}",
    # The signed-in account (skipped for visitors: their "ip" limit applies).
    "user": _key_user,
    # An API key's prefix (skipped without a key).
    "api_key": _key_api_key,
}


def key_value(request: HttpRequest, key: str) -> str | None:
    """What ``key`` names in this request, or None when it does not apply (then the limit is
    skipped). ``field:<name>`` is a submitted form field, lower-cased (an email address: the
    account a login or reset targets)."""
    if key.startswith("field:"):
        return _key_field(key[6:])(request)
    return KEYS[key](request)


# ---- limits and rules ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Limit:
    """``rate`` is django-ratelimit's ``"<count>/<period>"`` (``"5/h"``, ``"10/5m"``) or a
    function returning one (to read a setting at request time); ``key`` one of ``KEYS`` or
    ``field:<name>``; ``unless``: skip this limit when that key applies (an API-key client
    is limited by its key, not by its address)."""

    rate: str | Callable[[], str]
    key: str
    unless: str | None = None

    def rate_now(self) -> str:
        return self.rate() if callable(self.rate) else self.rate


@dataclass(frozen=True)
class Rule:
    """A row of the policy: requests whose URL name is in ``views`` or whose path matches
    ``path`` (a regex on ``request.path_info``), with a method in ``methods`` (every method
    when empty), count against each of ``limits``. ``name`` names the counters (change it
    and the counts start afresh) and the row in logs."""

    name: str
    limits: tuple[Limit, ...]
    views: tuple[str, ...] = ()
    path: str | None = None
    methods: frozenset[str] = ALL_METHODS
    _path_re: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.views and not self.path:
            raise ValueError(f"rule {self.name!r} matches nothing: give views or path")
        for limit in self.limits:
            for key in (limit.key, limit.unless):
                if key is not None and key not in KEYS and not key.startswith("field:"):
                    raise ValueError(f"rule {self.name!r}: unknown key {key!r}")
        object.__setattr__(self, "_path_re", re.compile(self.path) if self.path else None)

    def matches(self, request: HttpRequest, view_name: str | None) -> bool:
        if self.methods and request.method not in self.methods:
            return False
        if view_name is not None and view_name in self.views:
            return True
        return self._path_re is not None and self._path_re.search(request.path_info) is not None


@dataclass(frozen=True)
class Denied:
    group: str
    retry_after: int


def limit_hit(request: HttpRequest, *, group: str, limit: Limit, increment: bool = True) -> Denied | None:
    """Count one request of ``group`` against ``limit``; ``Denied`` once it is over."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return None
    value = key_value(request, limit.key)
    if value is None or (limit.unless is not None and key_value(request, limit.unless) is not None):
        return None
    rate = limit.rate_now()
    try:
        usage = get_usage(
            request,
            group=f"{group}:{limit.key}",
            key=lambda _group, _request: value,
            rate=rate,
            increment=increment,
        )
    except Exception:  # Redis down: let the request through rather than fail it
        logger.exception("rate limit %s could not be checked", group)
        return None
    if usage is None or not usage["should_limit"]:
        return None
    logger.info("rate limited: %s %s (%s) %s", group, limit.key, rate, request.path_info)
    return Denied(group=group, retry_after=max(1, int(usage["time_left"])))


def limits_check(request: HttpRequest, rules: Iterable[Rule], view_name: str | None) -> Denied | None:
    """Count this request against every matching rule's limits (all of them, so each
    counter sees every request); the longest wait if any is over."""
    worst: Denied | None = None
    for rule in rules:
        if not rule.matches(request, view_name):
            continue
        for limit in rule.limits:
            denied = limit_hit(request, group=rule.name, limit=limit)
            if denied is not None and (worst is None or denied.retry_after > worst.retry_after):
                worst = denied
    return worst


# ---- the answer ---------------------------------------------------------------------------------


def wants_json(request: HttpRequest) -> bool:
    if request.path_info.startswith("/api/"):
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def _wait_text(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minutes" if minutes < 90 else f"{-(-minutes // 60)} hours"


def rate_limited_response(request: HttpRequest, retry_after: int, message: str | None = None) -> HttpResponse:
    message = message or f"Too many requests. Please try again in {_wait_text(retry_after)}."
    response: HttpResponse
    if wants_json(request):
        response = json_error(429, "rate_limited", message)
    else:
        context = {"message": message, "retry_after": retry_after, "wait": _wait_text(retry_after)}
        response = render(request, "errors/429.html", context, status=429)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


def policy() -> tuple[Rule, ...]:
    from security.policy import POLICY

    return POLICY


class RateLimitMiddleware:
    """Applies ``security.policy.POLICY`` to every request, after URL resolution (so rules can
    name views) and authentication (so limits can key on the account); turns ``Throttled``
    raised below a view into the same 429."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.rules = policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> Any:
        match = getattr(request, "resolver_match", None)
        denied = limits_check(request, self.rules, match.view_name if match is not None else None)
        if denied is None:
            return None
        return rate_limited_response(request, denied.retry_after)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Throttled):
            return rate_limited_response(request, exception.retry_after, exception.message)
        return None
