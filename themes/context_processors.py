from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from core.mls_sources import source_credit, source_ids
from themes.branding import branding_for_request


def _mls_credit(request: HttpRequest) -> str:
    """The MLSs whose listings this site shows, for the IDX credit in the footer (a site credits
    only its own feeds)."""
    tenant = getattr(request, "tenant", None)
    sources = list(getattr(tenant, "mls_sources", None) or []) if tenant is not None and not tenant.is_public else []
    names = [source_credit(s) for s in (sources or source_ids())]
    return " and ".join(names) if len(names) < 3 else ", ".join(names[:-1]) + " and " + names[-1]


def branding(request: HttpRequest) -> dict[str, Any]:
    return {
        "branding": SimpleLazyObject(lambda: branding_for_request(request)),
        "mls_credit": SimpleLazyObject(lambda: _mls_credit(request)),
    }
