"""Reads for the platform admin: each configured MLS source with its last sync runs."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured

from core.mls_sources import source_ids, source_name
from mls_sync.config import source_config
from mls_sync.models import SyncRun


@dataclass(frozen=True)
class SourceStatus:
    source: str
    name: str
    protocol: str
    url: str
    auth: str  # "OAuth2 client credentials", "bearer token" or what is missing
    problem: str  # a configuration error, "" when the source can sync
    schedule: dict[str, str] = field(default_factory=dict)
    last_runs: list[SyncRun] = field(default_factory=list)  # newest run per mode
    last_success: SyncRun | None = None


def sources_status() -> list[SourceStatus]:
    """Every configured source (``MLS_SOURCES``), its settings and its newest run of each mode."""
    out = []
    for sid in source_ids():
        runs = list(SyncRun.objects.filter(source=sid).order_by("-started_at")[:50])
        newest: dict[str, SyncRun] = {}
        for run in runs:
            newest.setdefault(run.mode, run)
        success = next((r for r in runs if r.status == SyncRun.Status.OK and not r.dry_run), None)
        try:
            cfg = source_config(sid)
        except ImproperlyConfigured as exc:
            from django.conf import settings

            raw = settings.MLS_SOURCES.get(sid, {})
            out.append(
                SourceStatus(
                    source=sid,
                    name=source_name(sid),
                    protocol=str(raw.get("protocol", "")),
                    url=str(raw.get("url", "")),
                    auth="not configured",
                    problem=str(exc),
                    schedule=dict(raw.get("schedule") or {}),
                    last_runs=list(newest.values()),
                    last_success=success,
                )
            )
            continue
        out.append(
            SourceStatus(
                source=sid,
                name=cfg.name,
                protocol=cfg.protocol,
                url=cfg.url,
                auth="OAuth2 client credentials" if cfg.token_url else "bearer token",
                problem="",
                schedule=dict(cfg.schedule),
                last_runs=list(newest.values()),
                last_success=success,
            )
        )
    return out
