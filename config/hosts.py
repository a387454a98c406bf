"""``ALLOWED_HOSTS`` that also admits the agents' verified custom domains.

Django checks every request's ``Host`` against ``ALLOWED_HOSTS`` (``request.get_host()``), and
the list in the environment can only name the platform's own hosts (``.chatrealty.io``, the
flagship): the agents' domains are rows in the database, added and removed while the site
runs. ``AllowedHosts`` is that list plus, for the request being handled and only for it, its
host once ``tenants.custom_hosts.CustomDomainHostMiddleware`` (first in ``MIDDLEWARE``) has found it
to be a verified custom domain of a live site. Every other host still gets Django's 400, so
``DJANGO_ALLOWED_HOSTS`` never has to be ``*``. Standard library only (settings import it).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextvars import ContextVar

_request_host: ContextVar[str | None] = ContextVar("verified_custom_domain", default=None)


class AllowedHosts(list[str]):
    """The configured patterns, then this request's verified custom domain (if any)."""

    def __init__(self, patterns: Iterable[str] = ()) -> None:
        super().__init__(patterns)

    def __iter__(self) -> Iterator[str]:
        yield from super().__iter__()
        host = _request_host.get()
        if host:
            yield host

    def configured(self) -> list[str]:
        """The patterns from the settings alone."""
        return list(super().__iter__())


def request_host_allow(host: str) -> object:
    """Admit ``host`` for the current request; give the token to ``request_host_forget``."""
    return _request_host.set(host)


def request_host_forget(token: object) -> None:
    _request_host.reset(token)  # type: ignore[arg-type]
