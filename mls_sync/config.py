"""MLS source configuration, read from Django settings when asked (never at import time).

``settings.MLS_SOURCES`` maps a source id to ``{"kind", "base_url", "api_key", "mls_id",
"user_agent"}``. Without it, the sources are derived from the flat ``SPARK_*`` settings so a
plain ``.env`` is enough for dev.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SOURCES = ("gps", "crmls")


@dataclass(frozen=True, slots=True)
class SourceConfig:
    source: str
    kind: str  # "spark" | "reso"
    base_url: str
    api_key: str
    mls_id: str
    user_agent: str


def _configured_sources() -> dict[str, dict[str, Any]]:
    from django.conf import settings

    explicit = getattr(settings, "MLS_SOURCES", None)
    if explicit:
        return dict(explicit)
    base_url = getattr(settings, "SPARK_BASE_URL", "http://127.0.0.1:8765")
    agent = getattr(settings, "SPARK_USER_AGENT", "ChatRealty/1.0")
    return {
        src: {
            "kind": "spark",
            "base_url": base_url,
            "api_key": getattr(settings, f"SPARK_{src.upper()}_API_KEY", ""),
            "mls_id": src,
            "user_agent": agent,
        }
        for src in SOURCES
    }


def source_ids() -> list[str]:
    return list(_configured_sources())


def source_config(source: str) -> SourceConfig:
    from django.core.exceptions import ImproperlyConfigured

    sources = _configured_sources()
    if source not in sources:
        raise ImproperlyConfigured(f"unknown MLS source {source!r}; configured: {sorted(sources)}")
    raw = sources[source]
    if not raw.get("api_key"):
        raise ImproperlyConfigured(
            f"MLS source {source!r} has no API key: set MLS_SOURCES[{source!r}]['api_key'] "
            f"(or SPARK_{source.upper()}_API_KEY)"
        )
    if not raw.get("base_url"):
        raise ImproperlyConfigured(f"MLS source {source!r} has no base_url")
    return SourceConfig(
        source=source,
        kind=raw.get("kind", "spark"),
        base_url=raw["base_url"],
        api_key=raw["api_key"],
        mls_id=raw.get("mls_id", source),
        user_agent=raw.get("user_agent", "ChatRealty/1.0"),
    )
