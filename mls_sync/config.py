"""The configured MLS sources (``settings.MLS_SOURCES``, from the environment), read when asked.

``source_ids()``/``source_choices()`` are what the rest of the project shows and validates
against (sync commands, beat schedule, platform admin, onboarding wizard, site settings);
``source_config(id)`` is what a sync run needs, checked then: a source without a URL or without
credentials raises ``ImproperlyConfigured`` naming the variable to set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PROTOCOLS = ("spark", "reso")


@dataclass(frozen=True, slots=True)
class SourceConfig:
    source: str
    name: str
    protocol: str  # "spark" | "reso"
    url: str  # Spark API host, or the RESO service root
    token: str = ""
    client_id: str = ""
    client_secret: str = ""
    token_url: str = ""
    scope: str = ""
    mls_id: str = ""
    originating_system: str = ""
    schedule: dict[str, str] = field(default_factory=dict)
    lookups: dict[str, dict[str, str]] = field(default_factory=dict)
    timezone: str = "America/Los_Angeles"
    user_agent: str = "ChatRealty/1.0"


def _configured() -> dict[str, dict[str, Any]]:
    from django.conf import settings

    return dict(getattr(settings, "MLS_SOURCES", {}) or {})


def source_ids() -> list[str]:
    return list(_configured())


def source_choices() -> list[tuple[str, str]]:
    """``[(id, display name)]`` in the configured order, for forms and admin filters."""
    return [(sid, str(raw.get("name") or sid)) for sid, raw in _configured().items()]


def source_name(source: str) -> str:
    return str((_configured().get(source) or {}).get("name") or source)


def source_config(source: str) -> SourceConfig:
    from django.core.exceptions import ImproperlyConfigured

    sources = _configured()
    if source not in sources:
        raise ImproperlyConfigured(f"unknown MLS source {source!r}; configured (MLS_SOURCES): {sorted(sources)}")
    raw, var = sources[source], f"MLS_{source.upper()}_"
    protocol = str(raw.get("protocol") or "spark").lower()
    if protocol not in PROTOCOLS:
        raise ImproperlyConfigured(f"{var}PROTOCOL is {protocol!r}; one of {PROTOCOLS}")
    if not raw.get("url"):
        raise ImproperlyConfigured(f"MLS source {source!r} has no URL: set {var}URL")
    oauth = [raw.get(k) for k in ("token_url", "client_id", "client_secret")]
    if any(oauth) and not all(oauth):
        raise ImproperlyConfigured(
            f"MLS source {source!r}: OAuth2 needs {var}TOKEN_URL, {var}CLIENT_ID and {var}CLIENT_SECRET together"
        )
    if not raw.get("token") and not all(oauth):
        raise ImproperlyConfigured(
            f"MLS source {source!r} has no credentials: set {var}TOKEN, or {var}CLIENT_ID, "
            f"{var}CLIENT_SECRET and {var}TOKEN_URL"
        )
    names = set(SourceConfig.__dataclass_fields__) - {"source", "protocol"}
    values = {k: v for k, v in raw.items() if k in names and v is not None}
    return SourceConfig(source=source, protocol=protocol, **values)
