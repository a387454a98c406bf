"""When django-allauth's own limits let a client in again, for the ``Retry-After`` of its 429s.

allauth answers a limit with the URLconf's ``handler429(request)`` and does not say which limit
it was or when it resets. Its limits live in the cache as a list of hit times per action, rate
and client (``allauth.core.internal.ratelimit``), so the wait is read back from there: for
every configured rate of this client (its address, its account, and the keys allauth derives
from the submitted email) whose window is full, the time until the oldest hit that counts
leaves the window; the longest of those is the real wait. Only the actions the view is named
after count (``account_reauthenticate`` -> ``reauthenticate``; all of them for a view named
after none): a client locked out of failed logins for 5 minutes is still told the truth about
a re-authentication limit that ends in 40 seconds. A client whose full window cannot be
found (a key we cannot derive) is told the longest configured window of a per-key limit, the
most it can have to wait.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from typing import Any

from allauth.core.internal.ratelimit import Rate, get_cache_key, parse_rates
from django.core.cache import cache
from django.http import HttpRequest

APPS = ("allauth.account", "allauth.mfa")
KEY_FIELDS = ("email", "login")


def _configured(request: HttpRequest) -> Iterator[tuple[str, str, Rate]]:
    from allauth.account import app_settings as account_settings
    from allauth.mfa import app_settings as mfa_settings

    configs = list(zip(APPS, (account_settings.RATE_LIMITS, mfa_settings.RATE_LIMITS), strict=True))
    match = getattr(request, "resolver_match", None)
    view = (match.url_name or "") if match is not None else ""
    named = {action for _app, rates in configs for action in rates if action in view}
    for app, rates in configs:
        for action, text in rates.items():
            if named and action not in named:
                continue
            for rate in parse_rates(text):
                yield app, action, rate


def _keys(request: HttpRequest) -> list[str]:
    """The per-key limits' keys allauth may have used: the submitted email, alone (reset,
    login codes, confirmations) or after the site's domain (failed logins)."""
    values = [str(request.POST.get(f, "")).strip().lower() for f in KEY_FIELDS] if request.method == "POST" else []
    values = [v for v in values if v]
    if not values:
        return []
    try:
        from django.contrib.sites.shortcuts import get_current_site

        domain = get_current_site(request).domain
    except Exception:  # no site framework answer: the plain keys still count
        domain = ""
    return values + ([f"{domain}:{v}" for v in values] if domain else [])


def _cache_keys(request: HttpRequest, app: str, action: str, rate: Rate) -> list[str]:
    if rate.per == "ip":
        return [get_cache_key(request, app=app, action=action, rate=rate)]
    if rate.per == "user":
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return []
        return [get_cache_key(request, app=app, action=action, rate=rate, user=user)]
    return [get_cache_key(request, app=app, action=action, rate=rate, key=k) for k in _keys(request)]


def _wait(history: Any, rate: Rate, now: float) -> float | None:
    """Seconds until the window has room again; None when it has room now."""
    if not isinstance(history, list):
        return None
    hits = sorted((t for t in history if isinstance(t, int | float) and t > now - rate.duration), reverse=True)
    if len(hits) < rate.amount:
        return None
    return hits[rate.amount - 1] + rate.duration - now


def allauth_retry_after(request: HttpRequest) -> int:
    """Whole seconds until allauth lets this client in again (at least 1)."""
    now = time.time()
    waits: list[float] = []
    longest_key_window = 0.0
    for app, action, rate in _configured(request):
        if rate.per == "key":
            longest_key_window = max(longest_key_window, float(rate.duration))
        for key in _cache_keys(request, app, action, rate):
            wait = _wait(cache.get(key), rate, now)
            if wait is not None:
                waits.append(wait)
    best = max(waits) if waits else longest_key_window
    return max(1, math.ceil(best))
