"""What a sync run needs from a configured MLS source (``settings.MLS_SOURCES``; the list of
sources itself is ``core.mls_sources``): ``source_config(id)``, checked when used: a source
without a URL or without credentials raises ``ImproperlyConfigured`` naming the variable to set.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.mls_sources import sources_configured

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


def source_config(source: str) -> SourceConfig:
    from django.core.exceptions import ImproperlyConfigured

    sources = sources_configured()
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
