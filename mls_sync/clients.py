"""HTTP clients for MLS feeds: the Spark API (replication) and the RESO Web API (OData).

Both yield ``Page`` objects (raw Spark-shaped records + the token that resumes after the page),
so the pipeline does not care which protocol a source speaks. Transient trouble (429/5xx,
timeouts, connections dropped mid-body, truncated JSON) is retried with exponential backoff and
jitter; everything else raises a typed ``MlsError``.
"""

from __future__ import annotations

import logging
import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests

from mls_sync import jsonwire
from mls_sync.lookups import fold

log = logging.getLogger(__name__)

EXPANSIONS = ("Photos", "OpenHouses", "VirtualTours", "Rooms", "Units")
RETRYABLE_STATUS = {429, 500, 502, 503, 504}
# RESO Data Dictionary names back to the Spark names the flattener reads.
SPARK_NAMES = {
    "BedroomsTotal": "BedsTotal",
    "BathroomsTotalDecimal": "BathsTotal",
    "BathroomsFull": "BathsFull",
    "BathroomsHalf": "BathsHalf",
    "ListAgentFullName": "ListAgentName",
}


class MlsError(Exception):
    """A feed request failed for good. ``code`` is the Spark error code when there is one."""

    def __init__(self, message: str, *, code: int | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.code, self.status = code, status


class MlsAuthError(MlsError):
    """1000: the key is wrong or missing."""


class MlsTokenExpired(MlsError):
    """1020: the session token expired and a refresh did not help."""


class MlsWrongHost(MlsError):
    """1021: the resource is not served by this host (e.g. replication key on the wrong host)."""


class MlsBadFilter(MlsError):
    """1040: the filter or a parameter is invalid; retrying cannot help."""


class MlsUnavailable(MlsError):
    """Transient failures (429/5xx/timeouts/drops) outlasted every retry."""


_ERRORS: dict[int, type[MlsError]] = {1000: MlsAuthError, 1020: MlsTokenExpired, 1021: MlsWrongHost, 1040: MlsBadFilter}


class RateLimiter:
    """Sliding-window limiter: at most ``max_requests`` per ``period`` seconds (Spark IDX: 1,500 / 5 min)."""

    def __init__(self, max_requests: int = 1500, period: float = 300.0) -> None:
        self.max_requests, self.period = max_requests, period
        self._sent: deque[float] = deque()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        while True:
            with self._lock:
                now = time.monotonic()
                while self._sent and self._sent[0] <= now - self.period:
                    self._sent.popleft()
                if len(self._sent) < self.max_requests:
                    self._sent.append(now)
                    return
                wait = self._sent[0] + self.period - now
            time.sleep(min(wait, 5.0))


_limiters: dict[str, RateLimiter] = {}
_limiters_lock = threading.Lock()


def limiter_for(key: str, *, max_requests: int = 1500, period: float = 300.0) -> RateLimiter:
    """One limiter per API key per process: the published limit is per key, not per client."""
    with _limiters_lock:
        return _limiters.setdefault(key, RateLimiter(max_requests, period))


@dataclass(frozen=True, slots=True)
class Page:
    records: list[dict[str, Any]]  # Spark-shaped: {"Id", "StandardFields": {...}}
    next_token: str | None  # resumes *after* this page; None on the last page


@dataclass
class Query:
    """What to replicate, independent of protocol; each client renders its own filter dialect."""

    modified_after: datetime | None = None
    status: str | None = None
    keys: list[str] | None = None
    select: list[str] | None = None
    expand: tuple[str, ...] = EXPANSIONS


@dataclass
class _HttpBase:
    base_url: str
    api_key: str
    user_agent: str = "ChatRealty/1.0"
    timeout: tuple[float, float] = (5.0, 60.0)
    max_retries: int = 6
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    key_provider: Callable[[], str] | None = None  # re-reads the key after a 1020 (rotation)
    limiter: RateLimiter | None = None
    retries: int = 0  # transient failures survived, for run counters
    session: requests.Session = field(default_factory=requests.Session)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        if self.limiter is None:
            self.limiter = limiter_for(self.api_key)

    def _headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.api_key}",
            "X-SparkApi-User-Agent": self.user_agent,
            "User-Agent": self.user_agent,
            "Accept": "application/json",
        }

    def _sleep(self, attempt: int, retry_after: str | None) -> None:
        delay = min(self.backoff_cap, self.backoff_base * 2**attempt) * random.uniform(0.5, 1.5)
        if retry_after and retry_after.isdigit():
            delay = max(delay, float(retry_after))
        time.sleep(delay)

    def get_json(self, url: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """GET with retries; returns the parsed body of a 2xx, raises ``MlsError`` otherwise."""
        refreshed = False
        attempt = 0
        while True:
            assert self.limiter is not None
            self.limiter.acquire()
            retry_after: str | None = None
            try:
                resp = self.session.get(url, params=params, headers=self._headers(), timeout=self.timeout)
                body = jsonwire.loads(resp.content) if resp.content else {}
            except (
                requests.ConnectionError,
                requests.Timeout,
                requests.exceptions.ChunkedEncodingError,
                ValueError,
            ) as exc:
                # A dropped connection or a truncated body: nothing was consumed, so retry.
                reason = f"{type(exc).__name__}: {exc}"
            else:
                if resp.ok and self._success(body):
                    return body
                code = self._code(body)
                if code == 1020 and not refreshed:
                    refreshed = True
                    self.retries += 1
                    if self.key_provider:
                        self.api_key = self.key_provider()
                    log.warning("mls token expired (1020); refreshing key and retrying once")
                    continue
                if resp.status_code not in RETRYABLE_STATUS and code != 1550:
                    raise _ERRORS.get(code or 0, MlsError)(
                        f"{resp.status_code} {self._message(body) or resp.reason} ({url})",
                        code=code,
                        status=resp.status_code,
                    )
                retry_after = resp.headers.get("Retry-After")
                reason = f"HTTP {resp.status_code} code {code}"
            if attempt >= self.max_retries:
                raise MlsUnavailable(f"giving up after {attempt + 1} attempts: {reason} ({url})")
            self.retries += 1
            log.info("mls request failed (%s); retry %d", reason, attempt + 1)
            self._sleep(attempt, retry_after)
            attempt += 1

    def _success(self, body: dict[str, Any]) -> bool:
        return True

    def _code(self, body: dict[str, Any]) -> int | None:
        return None

    def _message(self, body: dict[str, Any]) -> str | None:
        return None


@dataclass
class SparkClient(_HttpBase):
    """Spark API replication: ``/v1/listings`` paged with ``_skiptoken`` in ListingKey order."""

    def _success(self, body: dict[str, Any]) -> bool:
        return bool(body.get("D", {}).get("Success"))

    def _code(self, body: dict[str, Any]) -> int | None:
        code = body.get("D", {}).get("Code") if isinstance(body, dict) else None
        return int(code) if code is not None else None

    def _message(self, body: dict[str, Any]) -> str | None:
        return body.get("D", {}).get("Message") if isinstance(body, dict) else None

    @staticmethod
    def render_filter(query: Query) -> str | None:
        parts = []
        if query.modified_after is not None:
            parts.append(f"ModificationTimestamp Gt {query.modified_after.strftime('%Y-%m-%dT%H:%M:%SZ')}")
        if query.status:
            # StandardStatus, not MlsStatus: the MLS's local status names differ ("Sold", "Closed Sale").
            parts.append(f"StandardStatus Eq '{query.status}'")
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


@dataclass
class ResoWebApiClient(_HttpBase):
    """RESO Web API (OData): ``/Property`` with ``$top``/``$filter``/``$expand=Media`` and nextLink paging."""

    resource_path: str = "/reso/odata/Property"

    def _code(self, body: dict[str, Any]) -> int | None:
        code = body.get("error", {}).get("code") if isinstance(body, dict) else None
        return int(code) if code and str(code).isdigit() else None

    def _message(self, body: dict[str, Any]) -> str | None:
        return body.get("error", {}).get("message") if isinstance(body, dict) else None

    @staticmethod
    def render_filter(query: Query) -> str | None:
        parts = []
        if query.modified_after is not None:
            parts.append(f"ModificationTimestamp gt {query.modified_after.strftime('%Y-%m-%dT%H:%M:%SZ')}")
        if query.status:
            parts.append(f"StandardStatus eq '{query.status}'")
        if query.keys:
            parts.append("(" + " or ".join(f"ListingKey eq '{k}'" for k in query.keys) + ")")
        return " and ".join(parts) or None

    def iter_pages(
        self, query: Query | None = None, *, limit: int = 1000, resume_from: str | None = None
    ) -> Iterator[Page]:
        query = query or Query()
        url: str | None = resume_from
        params: dict[str, Any] | None = None
        if url is None:
            url, params = f"{self.base_url}{self.resource_path}", {"$top": limit}
            if (flt := self.render_filter(query)) is not None:
                params["$filter"] = flt
            if query.select:
                params["$select"] = ",".join(query.select)
            if "Photos" in query.expand:
                params["$expand"] = "Media"
        while url:
            body = self.get_json(url, params)
            params = None  # nextLink carries every parameter
            records = [_from_reso(entity) for entity in body.get("value") or []]
            url = body.get("@odata.nextLink") or None
            if not records:
                return
            yield Page(records=records, next_token=url)


PHOTO_SIZES = ("UriThumb", "Uri300", "Uri640", "Uri800", "Uri1024", "Uri1280", "Uri1600", "Uri2048", "UriLarge")
# MediaCategory spellings that mean a listing photo ("Photo" in the Data Dictionary; servers also
# send "Photograph", "Photos", "Image"). Agent and office photos, floor plans, documents are not.
PHOTO_CATEGORIES = frozenset({"photo", "photos", "photograph", "photographs", "image", "images", "picture", "pictures"})
TOUR_FIELDS = {"unbrandedvirtualtour": "VirtualTourURLUnbranded", "brandedvirtualtour": "VirtualTourURLBranded"}


def _media_order(indexed: tuple[int, Any]) -> tuple[float, int]:
    """Numeric ``Order`` ("10" after "2"); a missing or unreadable order sorts last, in feed order."""
    n, item = indexed
    try:
        order = float(item.get("Order"))
    except (TypeError, ValueError):
        order = math.inf
    return (order if math.isfinite(order) else math.inf, n)


def _is_photo(item: dict[str, Any]) -> bool:
    category = item.get("MediaCategory")
    if category in (None, ""):
        kind = str(item.get("MediaType") or item.get("MimeType") or "image").lower()
        return kind.startswith("image") or kind in ("jpeg", "jpg", "png", "gif", "webp")
    return fold(category) in PHOTO_CATEGORIES


def reso_media(fields: dict[str, Any], media: Any) -> None:
    """RESO ``Media`` -> Spark ``Photos`` (numeric order, preferred photo primary) and the
    listing's tour URLs when only the Media resource carries them; in place."""
    items = sorted(((n, m) for n, m in enumerate(media or ()) if isinstance(m, dict)), key=_media_order)
    photos = [m for _, m in items if m.get("MediaURL") and _is_photo(m)]
    for _, m in items:
        name = TOUR_FIELDS.get(fold(m.get("MediaCategory") or ""))
        if name and m.get("MediaURL") and not fields.get(name):
            fields[name] = m["MediaURL"]
    preferred = next((n for n, m in enumerate(photos) if m.get("PreferredPhotoYN") is True), 0)
    fields["Photos"] = [
        {
            "Id": m.get("MediaKey"),
            "Caption": m.get("ShortDescription"),
            "Primary": n == preferred,
            **dict.fromkeys(PHOTO_SIZES, m["MediaURL"]),
        }
        for n, m in enumerate(photos)
    ]


def _from_reso(entity: dict[str, Any]) -> dict[str, Any]:
    """A RESO ``Property`` entity in the Spark shape the flattener reads (Media -> Photos)."""
    fields = {SPARK_NAMES.get(k, k): v for k, v in entity.items() if k != "Media"}
    if "Media" in entity:
        reso_media(fields, entity["Media"])
    return {"Id": entity.get("ListingKey"), "StandardFields": fields}


def client_for_source(source: str, **overrides: Any) -> SparkClient | ResoWebApiClient:
    """A client configured from ``settings.MLS_SOURCES[source]``, read now (not at import)."""
    from mls_sync.config import source_config

    cfg = source_config(source)
    cls = ResoWebApiClient if cfg.kind == "reso" else SparkClient
    kwargs: dict[str, Any] = {
        "base_url": cfg.base_url,
        "api_key": cfg.api_key,
        "user_agent": cfg.user_agent,
        "key_provider": lambda: source_config(source).api_key,
    }
    return cls(**(kwargs | overrides))
