from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from themes.branding import MLS_CREDITS, branding_for_request


def _mls_credit(request: HttpRequest) -> str:
    """The MLSs whose listings this site shows, for the IDX credit in the footer."""
    tenant = getattr(request, "tenant", None)
    sources = list(getattr(tenant, "mls_sources", None) or []) if tenant is not None and not tenant.is_public else []
    from mls_sync.config import source_ids, source_name

    names = [MLS_CREDITS.get(s) or source_name(s) for s in (sources or source_ids() or MLS_CREDITS)]
    return " and ".join(names) if len(names) < 3 else ", ".join(names[:-1]) + " and " + names[-1]


def branding(request: HttpRequest) -> dict[str, Any]:
    return {
        "branding": SimpleLazyObject(lambda: branding_for_request(request)),
        "mls_credit": SimpleLazyObject(lambda: _mls_credit(request)),
    }
