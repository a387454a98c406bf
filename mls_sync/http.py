"""What every MLS feed client shares: one GET with retries, credentials, rate limits.

Transient trouble (429/5xx, timeouts, connections dropped mid-body, truncated JSON) is retried
with exponential backoff and jitter, waiting at least what a ``Retry-After`` header asks (seconds
or an HTTP date); a refused credential (HTTP 401, Spark 1020) is refreshed once and the request
repeated; everything else raises a typed ``MlsError``.
"""

from __future__ import annotations

import email.utils
import logging
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests

from mls_sync import jsonwire
from mls_sync.auth import BearerToken, Credentials
from mls_sync.errors import SPARK_ERRORS, MlsAuthError, MlsBadFilter, MlsError, MlsUnavailable

log = logging.getLogger(__name__)

RETRYABLE_STATUS = {429, 500, 502, 503, 504}
OVER_RATE_LIMIT = 1550  # Spark's code for 429-like refusals sent with other statuses
_BY_STATUS: dict[int, type[MlsError]] = {400: MlsBadFilter, 401: MlsAuthError, 403: MlsAuthError}


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


def _error_body(content: bytes) -> Any:
    """An error response's body, if it is JSON (servers send error pages too)."""
    try:
        return jsonwire.loads(content)
    except ValueError:
        return {}


def retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds from now: delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


@dataclass
class HttpClient:
    base_url: str
    api_key: str = ""
    credentials: Credentials | None = None  # default: ``api_key`` as a bearer token
    user_agent: str = "ChatRealty/1.0"
    timeout: tuple[float, float] = (5.0, 60.0)
    max_retries: int = 6
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    retry_after_cap: float = 300.0  # a longer wait ends the run; the next one resumes
    key_provider: Callable[[], str] | None = None  # re-reads a rotated key after a refusal
    limiter: RateLimiter | None = None
    retries: int = 0  # transient failures survived, for run counters
    session: requests.Session = field(default_factory=requests.Session)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        if self.credentials is None:
            self.credentials = BearerToken(self.api_key, self.key_provider)
        if self.limiter is None:
            self.limiter = limiter_for(self.credentials.identity)

    def _headers(self) -> dict[str, str]:
        assert self.credentials is not None
        return {
            "Authorization": self.credentials.authorization(),
            "User-Agent": self.user_agent,
            "Accept": "application/json",
        }

    def _sleep(self, attempt: int, retry_after: str | None) -> None:
        delay = min(self.backoff_cap, self.backoff_base * 2**attempt) * random.uniform(0.5, 1.5)
        asked = retry_after_seconds(retry_after)
        if asked is not None:
            if asked > self.retry_after_cap:
                raise MlsUnavailable(f"server asks to retry after {asked:.0f} s (more than {self.retry_after_cap:.0f})")
            delay = asked  # the server said when; no earlier, and no need to wait longer
        time.sleep(delay)

    def _send(self, url: str, params: dict[str, Any] | None, headers: dict[str, str] | None) -> requests.Response:
        request = self.session.prepare_request(
            requests.Request("GET", url, params=params, headers=self._headers() | (headers or {}))
        )
        if params is None:
            request.url = url  # a server's own link (``@odata.nextLink``) is followed verbatim
        return self.session.send(request, timeout=self.timeout)

    def get_json(
        self, url: str, params: dict[str, Any] | None = None, *, headers: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """GET with retries; returns the parsed body of a 2xx, raises ``MlsError`` otherwise."""
        body = self.fetch(url, params, headers=headers)
        return body if isinstance(body, dict) else {"value": body}

    def fetch(
        self,
        url: str,
        params: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
        decode: Callable[[bytes], Any] = jsonwire.loads,
    ) -> Any:
        """GET with retries; ``decode`` reads a 2xx body (JSON unless told otherwise)."""
        assert self.limiter is not None and self.credentials is not None
        refreshed = False
        attempt = 0
        while True:
            self.limiter.acquire()
            retry_after: str | None = None
            try:
                resp = self._send(url, params, headers)
                body = (decode(resp.content) if resp.ok else _error_body(resp.content)) if resp.content else {}
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
                if (resp.status_code == 401 or code == 1020) and not refreshed:
                    refreshed = True
                    # A new credential when there is one to get; Spark's expired session (1020)
                    # is worth one more try even with the same key.
                    if self.credentials.refresh() or code == 1020:
                        self.retries += 1
                        log.warning("mls credential refused (HTTP %s, code %s); retrying once", resp.status_code, code)
                        continue
                if resp.status_code not in RETRYABLE_STATUS and code != OVER_RATE_LIMIT:
                    error = SPARK_ERRORS.get(code or 0) or _BY_STATUS.get(resp.status_code, MlsError)
                    raise error(
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
