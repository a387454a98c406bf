"""Geocoding through an OpenCage-compatible API (``GEOCODER_BASE_URL``; the local fake is
``python -m devtools.geocode``).

    GET {base}/geocode/v1/json?q=<address or "lat,lng">&key=<key>&limit=1&no_annotations=1

Answers are cached (the cache is shared by every site: an address's position is not tenant
data, and the key carries no user input beyond the normalised query's hash). The key is read
lazily: a missing key is ``ImproperlyConfigured`` at the first call, not at import.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import asdict, dataclass
from typing import Any

import httpx
from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured

log = logging.getLogger(__name__)

CACHE_SECONDS = 30 * 24 * 3600  # positions do not move; OpenCage allows caching
WATER_TYPES = frozenset({"body_of_water", "ocean", "sea", "water"})


class GeocodingError(Exception):
    """The geocoder could not answer (network, quota, bad key): not the user's fault."""


@dataclass(frozen=True)
class Place:
    lat: float
    lon: float
    formatted: str
    kind: str  # OpenCage components._type: building, road, city, body_of_water, ...
    city: str = ""
    postcode: str = ""
    state: str = ""
    confidence: int = 0

    @property
    def in_water(self) -> bool:
        return self.kind in WATER_TYPES


class GeocodingClient:
    def __init__(self, *, base_url: str | None = None, api_key: str | None = None, timeout: float = 5.0) -> None:
        self.base_url = (base_url or settings.GEOCODER_BASE_URL).rstrip("/")
        self._api_key = api_key
        self.timeout = timeout

    @property
    def api_key(self) -> str:
        key = self._api_key if self._api_key is not None else settings.GEOCODER_API_KEY
        if not key:
            raise ImproperlyConfigured("GEOCODER_API_KEY is not set (the local fake accepts any key: see .env.example)")
        return key

    def forward(self, address: str) -> Place | None:
        """The best match for an address, or None when the geocoder knows no such place."""
        return self._lookup(" ".join(address.split()))

    def reverse(self, lat: float, lon: float) -> Place | None:
        return self._lookup(f"{lat:.6f},{lon:.6f}")

    def _lookup(self, query: str) -> Place | None:
        cache = caches["default"]
        digest = hashlib.sha256(f"{self.base_url}\0{query.casefold()}".encode()).hexdigest()[:32]
        key = f"cma:geocode:{digest}"
        hit = cache.get(key)
        if hit is not None:
            return Place(**hit) if hit else None
        place = self._fetch(query)
        cache.set(key, asdict(place) if place else {}, CACHE_SECONDS)
        return place

    def _fetch(self, query: str) -> Place | None:
        params = {"q": query, "key": self.api_key, "limit": "1", "no_annotations": "1"}
        try:
            r = httpx.get(f"{self.base_url}/geocode/v1/json", params=params, timeout=self.timeout)
        except httpx.HTTPError as e:
            raise GeocodingError(f"geocoder unreachable: {e.__class__.__name__}") from e
        if r.status_code == 400:  # OpenCage: invalid or empty query
            return None
        if r.status_code != 200:
            try:
                message = r.json().get("status", {}).get("message", "")
            except ValueError:
                message = r.text[:200]
            raise GeocodingError(f"geocoder answered {r.status_code}: {message}")
        try:
            results = r.json().get("results") or []
            if not results:
                return None
            return _place(results[0])
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            raise GeocodingError(f"geocoder sent an unreadable answer: {e}") from e


def _place(result: dict[str, Any]) -> Place:
    geo = result["geometry"]
    comp = result.get("components") or {}
    return Place(
        lat=float(geo["lat"]),
        lon=float(geo["lng"]),
        formatted=str(result.get("formatted") or ""),
        kind=str(comp.get("_type") or ""),
        city=str(comp.get("city") or comp.get("town") or comp.get("village") or ""),
        postcode=str(comp.get("postcode") or ""),
        state=str(comp.get("state") or ""),
        confidence=int(result.get("confidence") or 0),
    )


def geocoder() -> GeocodingClient:
    return GeocodingClient()
