"""Credentials for MLS feeds: a bearer token, or OAuth2 client credentials (RFC 6749 §4.4).

A client asks ``authorization()`` for the header of each request and calls ``refresh()`` when
the server says the credential is no longer good (HTTP 401, Spark code 1020). An OAuth2 token is
fetched on first use, fetched again shortly before it expires (``expires_in`` minus a leeway)
and whenever the server refused it; concurrent callers share one fetch.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import requests

from mls_sync import jsonwire
from mls_sync.errors import MlsAuthError, MlsUnavailable

log = logging.getLogger(__name__)


class Credentials(Protocol):
    @property
    def identity(self) -> str:
        """What the server's rate limit counts requests by (the key or the client id)."""
        ...

    def authorization(self) -> str: ...

    def refresh(self) -> bool:
        """Get a new credential after the server refused the current one; False if none can be had."""
        ...


@dataclass
class BearerToken:
    """A fixed token; ``provider`` re-reads it (a rotated key) when the server refuses it."""

    token: str
    provider: Callable[[], str] | None = None

    @property
    def identity(self) -> str:
        return self.token

    def authorization(self) -> str:
        return f"Bearer {self.token}"

    def refresh(self) -> bool:
        if self.provider is None:
            return False
        self.token = self.provider()
        return True


@dataclass
class ClientCredentials:
    """OAuth2 client credentials grant against ``token_url`` (Trestle, MLS Grid-style servers)."""

    token_url: str
    client_id: str
    client_secret: str
    scope: str = ""
    leeway_s: float = 60.0  # renew this long before the token expires
    timeout: tuple[float, float] = (5.0, 30.0)
    attempts: int = 4
    session: requests.Session = field(default_factory=requests.Session)
    fetched: int = 0  # tokens obtained, for tests and run logs
    _token: str | None = None
    _renew_at: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def identity(self) -> str:
        return self.client_id

    def authorization(self) -> str:
        with self._lock:
            if self._token is None or time.monotonic() >= self._renew_at:
                self._fetch()
            return f"Bearer {self._token}"

    def refresh(self) -> bool:
        with self._lock:
            self._fetch()
        return True

    def _fetch(self) -> None:
        form = {"grant_type": "client_credentials", "client_id": self.client_id, "client_secret": self.client_secret}
        if self.scope:
            form["scope"] = self.scope
        for attempt in range(self.attempts):
            try:
                resp = self.session.post(
                    self.token_url, data=form, headers={"Accept": "application/json"}, timeout=self.timeout
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                reason = f"{type(exc).__name__}: {exc}"
            else:
                if resp.status_code < 500 and resp.status_code != 429:
                    self._accept(resp)
                    return
                reason = f"HTTP {resp.status_code}"
            log.warning("oauth2 token endpoint %s failed (%s); retry %d", self.token_url, reason, attempt + 1)
            time.sleep(min(8.0, 0.25 * 2**attempt))
        raise MlsUnavailable(f"oauth2 token endpoint {self.token_url} unavailable: {reason}")

    def _accept(self, resp: requests.Response) -> None:
        try:
            body = jsonwire.loads(resp.content) if resp.content else {}
        except ValueError:
            body = {}
        token = body.get("access_token") if isinstance(body, dict) else None
        if not resp.ok or not isinstance(token, str) or not token:
            detail = body.get("error_description") or body.get("error") if isinstance(body, dict) else None
            raise MlsAuthError(
                f"oauth2 token request to {self.token_url} refused: HTTP {resp.status_code} {detail or resp.reason}",
                status=resp.status_code,
            )
        try:
            lifetime = float(body.get("expires_in") or 3600)
        except (TypeError, ValueError):
            lifetime = 3600.0
        # Renew a leeway before expiry (a tenth of a short-lived token's life at most).
        self._token = token
        self._renew_at = time.monotonic() + lifetime - min(self.leeway_s, lifetime / 10)
        self.fetched += 1
