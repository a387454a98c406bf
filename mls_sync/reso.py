"""RESO Web API client: OData resources resolved from a service root, as certified servers speak it.

``<root>/$metadata`` is read once per source (``MetadataCache``) and decides the rest: which
``Property`` fields to ``$select``, how enum literals are written in ``$filter``
(``ns.StandardStatus'Closed'`` or ``'Closed'``), whether ``$expand=Media`` is offered (else the
``Media`` resource is read by ``ResourceRecordKey`` for each page), and how local lookup values
map to standard ones (with the ``Lookup`` resource and the source's override table). The server
chooses the page size (asked with ``Prefer: odata.maxpagesize``, never ``$top``, which limits a
whole result in OData); ``@odata.nextLink`` is followed verbatim and is the resume token.
Open houses come from the ``OpenHouse`` resource, read once per run.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from mls_sync.http import HttpClient
from mls_sync.metadata import Metadata
from mls_sync.page import Page, Query
from mls_sync.resomap import PROPERTY_FIELDS, Lookups, from_reso, open_house

log = logging.getLogger(__name__)

MEDIA_BATCH = 40  # ResourceRecordKey clauses per Media request (URL length)
HEADER_FIELDS = ("ListingKey", "StandardStatus", "ModificationTimestamp")


class MetadataCache(Protocol):
    def load(self) -> dict[str, Any] | None: ...

    def save(self, doc: dict[str, Any]) -> None: ...


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_process_metadata: dict[str, tuple[float, Metadata]] = {}
_process_lock = threading.Lock()


@dataclass
class ResoWebApiClient(HttpClient):
    """``base_url`` is the service root: ``<root>/Property``, ``<root>/$metadata``, ..."""

    ordered_by_key = False  # pages come in the server's order: a full run purges at its end

    originating_system: str = ""  # OriginatingSystemName to replicate (aggregators serve several MLSs)
    lookup_overrides: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    metadata_cache: MetadataCache | None = None
    metadata_ttl_s: float = 24 * 3600.0
    timezone: str = "America/Los_Angeles"  # open-house clock times are shown in the MLS's time
    _metadata: Metadata | None = None
    _lookups: Lookups | None = None
    _open_houses: dict[str, list[dict[str, Any]]] | None = None

    def _code(self, body: dict[str, Any]) -> int | None:
        code = body.get("error", {}).get("code") if isinstance(body, dict) else None
        return int(code) if code and str(code).isdigit() else None

    def _message(self, body: dict[str, Any]) -> str | None:
        error = body.get("error") if isinstance(body, dict) else None
        return error.get("message") if isinstance(error, dict) else None

    # -- metadata and lookups ----------------------------------------------------------------------
    @property
    def metadata(self) -> Metadata:
        """The server's metadata: this client's copy, the process's, the store's, or the server's."""
        if self._metadata is None:
            self._metadata = self._metadata_load()
        return self._metadata

    def _metadata_load(self) -> Metadata:
        now = time.time()
        with _process_lock:
            cached = _process_metadata.get(self.base_url)
        if cached and now - cached[0] < self.metadata_ttl_s:
            return cached[1]
        doc = self.metadata_cache.load() if self.metadata_cache else None
        if doc and doc.get("root") == self.base_url and now - float(doc.get("fetchedAt", 0)) < self.metadata_ttl_s:
            md, fetched = Metadata.from_doc(doc["metadata"]), float(doc["fetchedAt"])
        else:
            md, fetched = self._metadata_fetch(), now
            if self.metadata_cache:
                self.metadata_cache.save({"root": self.base_url, "fetchedAt": now, "metadata": md.to_doc()})
        with _process_lock:
            _process_metadata[self.base_url] = (fetched, md)
        return md

    def _metadata_fetch(self) -> Metadata:
        xml = self.fetch(f"{self.base_url}/$metadata", headers={"Accept": "application/xml"}, decode=bytes)
        md = Metadata.parse(xml)
        if "Lookup" in md.fields:  # Data Dictionary 2.0: string lookups listed in the Lookup resource
            rows = [row for page in self._pages(f"{self.base_url}/Lookup", {}) for row in page]
            md.lookups_add(rows)
        log.info("%s: read $metadata (%d entity sets)", self.base_url, len(md.fields))
        return md

    @property
    def lookups(self) -> Lookups:
        if self._lookups is None:
            self._lookups = Lookups(self.metadata, self.lookup_overrides)
        return self._lookups

    # -- requests -------------------------------------------------------------------------------
    def _pages(self, url: str, params: dict[str, Any] | None, *, page_size: int = 0) -> Iterator[list[dict[str, Any]]]:
        """Every page of one resource query, following ``@odata.nextLink`` as sent."""
        headers = {"Prefer": f"odata.maxpagesize={page_size}"} if page_size else None
        next_url: str | None = url
        while next_url:
            body = self.get_json(next_url, params, headers=headers)
            params = None
            yield [e for e in body.get("value") or [] if isinstance(e, dict)]
            next_url = body.get("@odata.nextLink") or None

    def render_filter(self, query: Query) -> str | None:
        md = self.metadata
        parts = []
        if self.originating_system and md.has("Property", "OriginatingSystemName"):
            parts.append(f"OriginatingSystemName eq {_quote(self.originating_system)}")
        if query.modified_after is not None:
            parts.append(f"ModificationTimestamp gt {_iso(query.modified_after)}")
        if query.status:
            parts.append(f"StandardStatus eq {self.lookups.literal('Property', 'StandardStatus', query.status)}")
        if query.closed_since is not None:
            parts.append(f"CloseDate ge {query.closed_since.isoformat()}")
        if query.keys:
            parts.append("(" + " or ".join(f"ListingKey eq {_quote(k)}" for k in query.keys) + ")")
        return " and ".join(parts) or None

    def property_params(self, query: Query) -> dict[str, Any]:
        md = self.metadata
        params: dict[str, Any] = {}
        if (flt := self.render_filter(query)) is not None:
            params["$filter"] = flt
        wanted = query.select or PROPERTY_FIELDS
        known = [name for name in wanted if md.has("Property", name)] if md.fields.get("Property") else list(wanted)
        params["$select"] = ",".join(known)
        if "Photos" in query.expand and md.can_expand("Property", "Media"):
            params["$expand"] = "Media"
        return params

    def iter_pages(
        self, query: Query | None = None, *, limit: int = 1000, resume_from: str | None = None
    ) -> Iterator[Page]:
        query = query or Query()
        header_only = not query.expand
        separate_media = "Photos" in query.expand and not self.metadata.can_expand("Property", "Media")
        open_houses = self.open_houses() if "OpenHouses" in query.expand else None
        url = resume_from or f"{self.base_url}/Property"
        params = None if resume_from else self.property_params(query)
        headers = {"Prefer": f"odata.maxpagesize={limit}"} if limit else None
        next_url: str | None = url
        while next_url:
            body = self.get_json(next_url, params, headers=headers)
            params = None  # a nextLink carries every parameter
            entities = [e for e in body.get("value") or [] if isinstance(e, dict)]
            next_url = body.get("@odata.nextLink") or None
            if not entities:
                return
            media = self.media_for([str(e.get("ListingKey")) for e in entities]) if separate_media else None
            records = [
                from_reso(
                    entity,
                    None if header_only else self.lookups,
                    media=media.get(str(entity.get("ListingKey")), []) if media is not None else None,
                    open_houses=open_houses.get(str(entity.get("ListingKey")), []) if open_houses is not None else None,
                )
                for entity in entities
            ]
            if header_only:
                for rec in records:  # the status check compares standard statuses
                    fields = rec["StandardFields"]
                    fields["StandardStatus"] = self.lookups.map(
                        "Property", "StandardStatus", fields.get("StandardStatus")
                    )[0]
            yield Page(records=records, next_token=next_url)

    def media_for(self, keys: list[str]) -> dict[str, list[dict[str, Any]]]:
        """The ``Media`` of these listings, from the Media resource (servers without ``$expand``)."""
        md = self.metadata
        out: dict[str, list[dict[str, Any]]] = {k: [] for k in keys}
        for start in range(0, len(keys), MEDIA_BATCH):
            batch = keys[start : start + MEDIA_BATCH]
            clauses = " or ".join(f"ResourceRecordKey eq {_quote(k)}" for k in batch)
            flt = f"({clauses})"
            if md.has("Media", "ResourceName"):
                flt = f"ResourceName eq {self.lookups.literal('Media', 'ResourceName', 'Property')} and {flt}"
            for rows in self._pages(f"{self.base_url}/Media", {"$filter": flt}):
                for row in rows:
                    out.setdefault(str(row.get("ResourceRecordKey")), []).append(row)
        return out

    def open_houses(self) -> dict[str, list[dict[str, Any]]]:
        """Upcoming open houses by ListingKey, from the ``OpenHouse`` resource (read once per client)."""
        if self._open_houses is not None:
            return self._open_houses
        out: dict[str, list[dict[str, Any]]] = {}
        if "OpenHouse" in self.metadata.fields:
            zone = ZoneInfo(self.timezone)
            today = (datetime.now(zone) - timedelta(days=1)).date().isoformat()
            parts = [f"OpenHouseDate ge {today}"]
            if self.originating_system and self.metadata.has("OpenHouse", "OriginatingSystemName"):
                parts.append(f"OriginatingSystemName eq {_quote(self.originating_system)}")
            for rows in self._pages(f"{self.base_url}/OpenHouse", {"$filter": " and ".join(parts)}):
                for row in rows:
                    if (shown := open_house(row, zone)) is not None and row.get("ListingKey"):
                        out.setdefault(str(row["ListingKey"]), []).append(shown)
        for shows in out.values():
            shows.sort(key=lambda s: (s["Date"] or "", s["StartTime"] or ""))
        self._open_houses = out
        return out
