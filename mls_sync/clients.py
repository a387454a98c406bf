"""MLS feed clients: the Spark API (replication) here, the RESO Web API in ``mls_sync.reso``.

Both yield ``Page`` objects (raw Spark-shaped records + the token that resumes after the page),
so the pipeline does not care which protocol a source speaks; ``client_for_source`` builds the
one a configured source needs (``mls_sync.config``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from mls_sync.auth import BearerToken, ClientCredentials, Credentials
from mls_sync.errors import (
    MlsAuthError,
    MlsBadFilter,
    MlsError,
    MlsTokenExpired,
    MlsUnavailable,
    MlsWrongHost,
)
from mls_sync.http import HttpClient, RateLimiter, limiter_for
from mls_sync.page import EXPANSIONS, Page, Query
from mls_sync.reso import ResoWebApiClient

__all__ = [
    "EXPANSIONS",
    "MlsAuthError",
    "MlsBadFilter",
    "MlsError",
    "MlsTokenExpired",
    "MlsUnavailable",
    "MlsWrongHost",
    "Page",
    "Query",
    "RateLimiter",
    "ResoWebApiClient",
    "SparkClient",
    "client_for_source",
    "limiter_for",
]


@dataclass
class SparkClient(HttpClient):
    """Spark API replication: ``/v1/listings`` paged with ``_skiptoken`` in ListingKey order.

    ``base_url`` is the API host (``https://replication.sparkapi.com``, a trailing ``/v1`` is
    accepted); ``mls_id`` limits a key that sees several MLSs (a data share) to one."""

    mls_id: str = ""
    ordered_by_key = True  # full runs may purge key ranges page by page

    def __post_init__(self) -> None:
        super().__post_init__()
        self.base_url = self.base_url.removesuffix("/v1")

    def _headers(self) -> dict[str, str]:
        return super()._headers() | {"X-SparkApi-User-Agent": self.user_agent}

    def _success(self, body: dict[str, Any]) -> bool:
        return bool(body.get("D", {}).get("Success"))

    def _code(self, body: dict[str, Any]) -> int | None:
        code = body.get("D", {}).get("Code") if isinstance(body, dict) else None
        return int(code) if code is not None else None

    def _message(self, body: dict[str, Any]) -> str | None:
        return body.get("D", {}).get("Message") if isinstance(body, dict) else None

    def render_filter(self, query: Query) -> str | None:
        parts = []
        if self.mls_id:
            parts.append(f"MlsId Eq '{self.mls_id}'")
        if query.modified_after is not None:
            parts.append(f"ModificationTimestamp Gt {query.modified_after.strftime('%Y-%m-%dT%H:%M:%SZ')}")
        if query.status:
            # StandardStatus, not MlsStatus: the MLS's local status names differ ("Sold", "Closed Sale").
            parts.append(f"StandardStatus Eq '{query.status}'")
        if query.closed_since is not None:
            parts.append(f"CloseDate Ge {query.closed_since.isoformat()}")
        if query.keys:
            parts.append("(" + " Or ".join(f"ListingKey Eq '{k}'" for k in query.keys) + ")")
        return " And ".join(parts) or None

    def iter_pages(
        self, query: Query | None = None, *, limit: int = 1000, resume_from: str | None = None
    ) -> Iterator[Page]:
        query = query or Query()
        params: dict[str, Any] = {"_limit": limit}
        if (flt := self.render_filter(query)) is not None:
            params["_filter"] = flt
        if query.select:
            params["_select"] = ",".join(query.select)
        if query.expand:
            params["_expand"] = ",".join(query.expand)
        token: str | None = resume_from
        while True:
            body = self.get_json(f"{self.base_url}/v1/listings", {**params, "_skiptoken": token or ""})
            data = body["D"]
            records = data.get("Results") or []
            token = data.get("SkipToken") or None
            # Spark ends the set with an empty page or a page without a SkipToken.
            if not records:
                return
            yield Page(records=records, next_token=token)
            if token is None:
                return


def credentials_for(cfg: Any) -> Credentials:
    """A source's credentials: OAuth2 client credentials when it has a token endpoint, else its token."""
    from mls_sync.config import source_config

    if cfg.token_url:
        return ClientCredentials(
            token_url=cfg.token_url, client_id=cfg.client_id, client_secret=cfg.client_secret, scope=cfg.scope
        )
    return BearerToken(cfg.token, provider=lambda: source_config(cfg.source).token)


def client_for_source(source: str, **overrides: Any) -> SparkClient | ResoWebApiClient:
    """A client configured from the source's settings (``mls_sync.config``), read now (not at import)."""
    from mls_sync.config import source_config

    cfg = source_config(source)
    common: dict[str, Any] = {"base_url": cfg.url, "credentials": credentials_for(cfg), "user_agent": cfg.user_agent}
    if cfg.protocol == "reso":
        from django.conf import settings

        reso = {
            "originating_system": cfg.originating_system,
            "lookup_overrides": cfg.lookups,
            "timezone": cfg.timezone,
            "metadata_ttl_s": float(getattr(settings, "MLS_METADATA_TTL_S", 24 * 3600)),
        }
        return ResoWebApiClient(**(common | reso | overrides))
    return SparkClient(**(common | {"mls_id": cfg.mls_id} | overrides))
