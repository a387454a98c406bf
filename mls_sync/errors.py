"""Typed failures of MLS feed requests (``code`` is the Spark error code when there is one)."""

from __future__ import annotations


class MlsError(Exception):
    """A feed request failed for good."""

    def __init__(self, message: str, *, code: int | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.code, self.status = code, status


class MlsAuthError(MlsError):
    """1000 / HTTP 401 that a fresh credential did not cure: the key or client is wrong."""


class MlsTokenExpired(MlsError):
    """1020: the session token expired and a refresh did not help."""


class MlsWrongHost(MlsError):
    """1021: the resource is not served by this host (e.g. replication key on the wrong host)."""


class MlsBadFilter(MlsError):
    """1040 / HTTP 400: the filter or a parameter is invalid; retrying cannot help."""


class MlsUnavailable(MlsError):
    """Transient failures (429/5xx/timeouts/drops) outlasted every retry."""


SPARK_ERRORS: dict[int, type[MlsError]] = {
    1000: MlsAuthError,
    1020: MlsTokenExpired,
    1021: MlsWrongHost,
    1040: MlsBadFilter,
}
