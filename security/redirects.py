"""Where a ``next`` parameter may send a visitor: a path on this site, never another host.

Every redirect that takes a user-supplied target goes through ``safe_next``. Django's
``url_has_allowed_host_and_scheme`` is the check (it also rejects ``/\\evil.com``, ``//evil.com``
and ``javascript:``), with this request's own host as the only allowed one: on a network of
agent sites, another agent's site is another host too.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def is_safe_redirect(request: HttpRequest, url: str | None) -> bool:
    if not url or len(url) > 2000:
        return False
    return url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure())


def safe_next(request: HttpRequest, url: str | None, *, default: str = "/") -> str:
    """``url`` if it stays on this site, else ``default``."""
    return url if url is not None and is_safe_redirect(request, url) else default
