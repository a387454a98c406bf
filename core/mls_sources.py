"""The MLS sources this deployment replicates: ``settings.MLS_SOURCES`` (declared in the
environment, config/settings/mls.py), read when asked so tests and operators can change it.

Everything that lists, shows or validates sources reads them here: the sync commands and beat
schedule, the platform admin, the onboarding wizard and site settings, the footer's IDX credit.
``mls_sync.config.source_config`` adds what a sync run needs (URL, credentials), checked then.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings


def sources_configured() -> dict[str, dict[str, Any]]:
    """``{id: settings}`` in the configured order."""
    return dict(getattr(settings, "MLS_SOURCES", {}) or {})


def source_ids() -> list[str]:
    return list(sources_configured())


def source_choices() -> list[tuple[str, str]]:
    """``[(id, display name)]`` in the configured order, for forms and admin filters."""
    return [(sid, str(raw.get("name") or sid)) for sid, raw in sources_configured().items()]


def source_name(source: str) -> str:
    return str((sources_configured().get(source) or {}).get("name") or source)


def source_credit(source: str) -> str:
    """How a site's footer credits the feed (IDX display rules): ``MLS_<ID>_CREDIT``, else its name."""
    raw = sources_configured().get(source) or {}
    return str(raw.get("credit") or raw.get("name") or source)
