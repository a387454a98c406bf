"""A local RESO Web API server (OData 4.0) with an OAuth2 token endpoint, for dev, demo and tests.

    python -m devtools.reso --port 8766 --seed 42 [--active N --closed N] [--lookups string] [--no-expand]

Service root ``http://host:port/api/v2/OData/<dataset>`` (Bridge-style): ``$metadata``,
``Property``, ``Media``, ``OpenHouse`` (and ``Lookup`` when lookups are strings). Requests carry
``Authorization: Bearer <token>`` from ``POST /oauth2/token`` (client credentials, in the form
or HTTP Basic) or a static token. The server chooses the page size (200; less when the client
asks ``Prefer: odata.maxpagesize=N``), pages with ``@odata.nextLink``, honours ``$select``,
``$filter``, ``$expand=Media`` (unless ``--no-expand``: then Media is its own resource only) and
``$top`` (a limit on the whole result, as OData means it). ``/_control/*`` advances time, queues
faults (``429``/``503`` with ``Retry-After``, ``500``, ``drop``, ``expire`` revoking every token,
``undeclared`` sending a status the metadata lacks) and pre-encodes pages (``warm``).
"""

from __future__ import annotations

import argparse
import base64
import json
import secrets
import socket
import threading
import time
import zlib
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from devtools.reso.entities import media_rows, open_house_rows, property_entity
from devtools.reso.feed import ResoQuery
from devtools.reso.vocabulary import PROPERTY, local, lookup_rows, metadata_xml
from devtools.spark.feed.filters import Cmp, FilterError, parse_filter
from devtools.spark.feed.state import STATUSES, SourceFeed
from devtools.spark.feed.wire import PLACEHOLDER_JPEG
from mls_sync import jsonwire

PAGE_SIZE = 200
FAULT_KINDS = {"429", "503", "500", "drop", "expire", "undeclared"}
EXPAND = frozenset({"Photos", "OpenHouses", "VirtualTours"})
UNDECLARED_STATUS = "BackupOffer"  # a local status this server's metadata does not declare
DEFAULT_CLIENTS = {"chatrealty-demo": "demo-secret"}


def odata_error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


class FakeReso:
    """Feed + tokens + faults + pre-encoded pages; the HTTP handler is a thin shell around it."""

    def __init__(
        self,
        *,
        seed: int,
        active: int,
        closed: int,
        source: str = "hdmls",
        clients: dict[str, str] | None = None,
        static_tokens: tuple[str, ...] = (),
        token_ttl: float = 3600.0,
        lookups: str = "enum",
        expand_media: bool = True,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self.seed, self.sizes, self.source = seed, (active, closed), source
        self.clients = dict(DEFAULT_CLIENTS if clients is None else clients)
        self.static_tokens = set(static_tokens)
        self.token_ttl, self.mode, self.expand_media, self.page_size = token_ttl, lookups, expand_media, page_size
        self.root = f"/api/v2/OData/{source}"
        self.lock = threading.Lock()
        self.tokens: dict[str, float] = {}
        self.tokens_issued = 0
        self.faults: deque[str] = deque()
        self.retry_after = "1"
        self.undeclared = 0
        self.undeclared_served: list[str] = []
        self.requests: list[str] = []
        self.metadata_requests = 0
        self.pages: dict[tuple[str, tuple[tuple[str, str], ...], int], bytes] = {}
        self.generation = 0
        self._open_houses: list[dict[str, Any]] | None = None
        self.reset()

    def reset(self) -> None:
        self.feed = SourceFeed(self.source, self.seed, *self.sizes)
        self.query = ResoQuery(self.feed, source=self.source, mode=self.mode)
        self._changed()

    def _changed(self) -> None:
        with self.lock:
            self.generation += 1
            self.pages.clear()
            self._open_houses = None

    # -- OAuth2 ----------------------------------------------------------------------------------
    def token(self, form: dict[str, str], basic: tuple[str, str] | None) -> tuple[int, dict[str, Any]]:
        if form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type"}
        client_id, secret = basic or (form.get("client_id", ""), form.get("client_secret", ""))
        if not client_id or self.clients.get(client_id) != secret:
            return 401, {"error": "invalid_client", "error_description": "unknown client or wrong secret"}
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[token] = time.monotonic() + self.token_ttl
            self.tokens_issued += 1
        return 200, {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": int(self.token_ttl) if self.token_ttl >= 1 else self.token_ttl,
            "scope": form.get("scope", "api"),
        }

    def authorized(self, header: str) -> bool:
        if not header.startswith("Bearer "):
            return False
        token = header[7:].strip()
        with self.lock:
            return token in self.static_tokens or self.tokens.get(token, 0.0) > time.monotonic()

    # -- control ---------------------------------------------------------------------------------
    def control(self, action: str, body: dict[str, Any]) -> dict[str, Any]:
        if action == "advance":
            self._changed()
            return self.feed.advance(percent=float(body.get("percent", 1.0)), hours=float(body.get("hours", 12.0)))
        if action == "faults":
            kind, count = str(body.get("kind")), int(body.get("count", 1))
            if kind not in FAULT_KINDS:
                raise ValueError(f"unknown fault {kind!r}; one of {sorted(FAULT_KINDS)}")
            with self.lock:
                if kind == "undeclared":
                    self.undeclared += count
                    self._drop_pages()
                elif kind == "expire":
                    self.tokens.clear()
                else:
                    self.retry_after = str(body.get("retry_after", self.retry_after))
                    self.faults.extend([kind] * count)
            return {"queued": list(self.faults), "undeclared": self.undeclared}
        if action == "reset":
            with self.lock:
                self.faults.clear()
                self.undeclared = 0
                self.undeclared_served.clear()
                self.requests.clear()
            self.reset()
            return {"reset": True}
        raise KeyError(action)

    def _drop_pages(self) -> None:
        self.generation += 1
        self.pages.clear()

    def state(self) -> dict[str, Any]:
        status, _, live = self.feed.columns()
        return {
            "requests": len(self.requests),
            "metadata_requests": self.metadata_requests,
            "tokens_issued": self.tokens_issued,
            "faults": list(self.faults),
            "undeclared_served": self.undeclared_served,
            "warm_pages": len(self.pages),
            "live": int(live.sum()),
            "closed": int(((status == STATUSES.index("Closed")) & live).sum()),
            "clock": self.feed.clock,
        }

    def take_fault(self) -> str | None:
        with self.lock:
            return self.faults.popleft() if self.faults else None

    # -- resources -------------------------------------------------------------------------------
    def page_size_for(self, prefer: str) -> int:
        for part in prefer.split(","):
            name, _, value = part.strip().partition("=")
            if name.strip().lower() == "odata.maxpagesize" and value.strip().isdigit():
                return max(1, min(self.page_size, int(value)))
        return self.page_size

    def _next_link(self, base: str, resource: str, query: dict[str, str], token: str) -> str:
        return f"{base}{self.root}/{resource}?{urlencode({**query, '$skiptoken': token})}"

    def properties(self, query: dict[str, str], base: str, size: int) -> dict[str, Any]:
        select = [s.strip() for s in query.get("$select", "").split(",") if s.strip()] or None
        if select and (unknown := sorted(set(select) - PROPERTY.keys())):
            raise FilterError(f"$select names fields this server does not have: {unknown}")
        expand = query.get("$expand", "").strip()
        if expand and (expand != "Media" or not self.expand_media):
            raise FilterError(f"$expand={expand} is not offered (see $metadata)")
        top = int(query["$top"]) if query.get("$top", "").isdigit() else None
        node = parse_filter(query["$filter"]) if query.get("$filter", "").strip() else None
        limit = min(size, top) if top is not None else size
        positions, more = self.query.page(node, after=query.get("$skiptoken") or None, limit=limit)
        wanted = EXPAND if expand or select is None or {"VirtualTourURLUnbranded"} & set(select) else frozenset()
        values = []
        for pos in positions:
            fields = self.feed.record(pos, photo_base=base, expand=wanted)["StandardFields"]
            entity = property_entity(fields, source=self.source, mode=self.mode, select=select, media=bool(expand))
            with self.lock:
                if self.undeclared and "StandardStatus" in entity:
                    self.undeclared -= 1
                    entity["StandardStatus"] = UNDECLARED_STATUS
                    self.undeclared_served.append(fields["ListingKey"])
            values.append(entity)
        out: dict[str, Any] = {"@odata.context": f"{base}{self.root}/$metadata#Property", "value": values}
        remaining = None if top is None else top - len(values)
        if more and values and (remaining is None or remaining > 0):
            nxt = {k: v for k, v in query.items() if k != "$skiptoken"}
            if remaining is not None:
                nxt["$top"] = str(remaining)
            out["@odata.nextLink"] = self._next_link(base, "Property", nxt, self.feed_key(positions[-1]))
        return out

    def feed_key(self, pos: int) -> str:
        return self.feed.key_at(pos)

    def _rows(self, resource: str, rows: list[dict[str, Any]], query: dict[str, str], base: str, size: int) -> dict:
        start = int(query.get("$skiptoken") or 0)
        out: dict[str, Any] = {
            "@odata.context": f"{base}{self.root}/$metadata#{resource}",
            "value": rows[start : start + size],
        }
        if start + size < len(rows):
            nxt = {k: v for k, v in query.items() if k != "$skiptoken"}
            out["@odata.nextLink"] = self._next_link(base, resource, nxt, str(start + size))
        return out

    def media(self, query: dict[str, str], base: str, size: int) -> dict[str, Any]:
        keys, name_ok = _media_filter(parse_filter(query.get("$filter", "") or "x eq null"), self.mode)
        if not name_ok:
            raise FilterError("Media filters need ResourceName eq the Property member of this server's metadata")
        rows: list[dict[str, Any]] = []
        for key in sorted(keys):
            pos = self.feed.position(key)
            if pos is None or not self.feed.columns()[2][pos]:
                continue
            fields = self.feed.record(pos, photo_base=base, expand=frozenset({"Photos"}))["StandardFields"]
            rows.extend(media_rows(key, fields, self.mode))
        return self._rows("Media", rows, query, base, size)

    def open_houses(self, base: str) -> list[dict[str, Any]]:
        with self.lock:
            cached = self._open_houses
        if cached is not None:
            return cached
        status, _, live = self.feed.columns()
        rows: list[dict[str, Any]] = []
        active = STATUSES.index("Active")
        for pos in ((status == active) & live).nonzero()[0].tolist():
            fields = self.feed.record(pos, photo_base=base, expand=frozenset({"OpenHouses"}))["StandardFields"]
            rows.extend(open_house_rows(fields, source=self.source))
        with self.lock:
            self._open_houses = rows
        return rows

    def open_house_page(self, query: dict[str, str], base: str, size: int) -> dict[str, Any]:
        rows = self.open_houses(base)
        if query.get("$filter", "").strip():
            rows = [r for r in rows if _row_matches(parse_filter(query["$filter"]), r)]
        return self._rows("OpenHouse", rows, query, base, size)

    # -- pre-encoded pages -----------------------------------------------------------------------
    def warm(self, base: str, query: dict[str, str], size: int) -> int:
        """Encode every page of this Property query (and the open houses) ahead of the requests,
        as the bytes the live path would send, so a benchmark spends no time in this server."""
        with self.lock:
            generation = self.generation
        self.open_houses(base)
        params, n = dict(query), 0
        while True:
            payload = self.properties(params, base, size)
            body = zlib.compress(jsonwire.dumps(payload), 1)
            with self.lock:
                if generation != self.generation:
                    return n
                self.pages[("Property", _canonical(params), size)] = body
            n += 1
            link = payload.get("@odata.nextLink")
            if not link:
                return n
            params = {k: v[-1] for k, v in parse_qs(urlsplit(link).query, keep_blank_values=True).items()}

    def warm_page(self, query: dict[str, str], size: int) -> bytes | None:
        with self.lock:
            body = self.pages.get(("Property", _canonical(query), size))
        return zlib.decompress(body) if body is not None else None


def _canonical(query: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(query.items()))


def _media_filter(node: Any, mode: str) -> tuple[set[str], bool]:
    """(the ResourceRecordKey values asked for, whether ResourceName names Property correctly)."""
    keys: set[str] = set()
    name_ok = False
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, Cmp):
            if item.field == "ResourceRecordKey" and item.op == "eq":
                keys.add(str(item.value))
            elif item.field == "ResourceName" and item.op == "eq":
                member = getattr(item.value, "member", item.value)
                name_ok = member == local("ResourceName", "Property", mode)
        else:
            stack.extend(getattr(item, "items", ()) or [getattr(item, "item", None)])
    return keys, name_ok


def _row_matches(node: Any, row: dict[str, Any]) -> bool:
    from devtools.spark.feed.filters import BoolOp, Not, parse_timestamp

    if isinstance(node, BoolOp):
        results = (_row_matches(i, row) for i in node.items)
        return all(results) if node.op == "and" else any(results)
    if isinstance(node, Not):
        return not _row_matches(node.item, row)
    value = row.get(node.field)
    if value is None:
        return False
    if isinstance(node.value, float | int):
        value = parse_timestamp(str(value))
    ops = {
        "eq": value == node.value,
        "ne": value != node.value,
        "gt": value > node.value,
        "ge": value >= node.value,
        "lt": value < node.value,
        "le": value <= node.value,
    }
    return bool(ops[node.op])


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)

    def _send(
        self,
        status: int,
        payload: Any,
        *,
        content_type: str = "application/json",
        drop: bool = False,
        headers: dict[str, str] | None = None,
    ) -> None:
        body = payload if isinstance(payload, bytes) else jsonwire.dumps(payload)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("OData-Version", "4.0")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if drop:  # promise the whole body, deliver half, hang up
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        self.wfile.write(body)

    def _base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{self.headers.get('Host') or f'{host!s}:{port}'}"

    def do_POST(self) -> None:
        app = self.server.app
        path = urlsplit(self.path).path
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if path == "/oauth2/token":
            form = {k: v[-1] for k, v in parse_qs(raw.decode(errors="replace")).items()}
            status, body = app.token(form, _basic(self.headers.get("Authorization", "")))
            self._send(status, body, headers={"Cache-Control": "no-store"})
            return
        if not path.startswith("/_control/"):
            self._send(405, odata_error("405", "method not allowed"))
            return
        action = path.removeprefix("/_control/")
        try:
            body = json.loads(raw or b"{}")
            if action == "warm":
                query = {str(k): str(v) for k, v in (body.get("query") or {}).items()}
                size = app.page_size_for(f"odata.maxpagesize={body.get('page_size', app.page_size)}")
                self._send(200, {"pages": app.warm(self._base(), query, size)})
                return
            self._send(200, app.control(action, body))
        except KeyError:
            self._send(404, {"error": "unknown control action"})
        except (ValueError, TypeError, FilterError) as exc:
            self._send(400, {"error": str(exc)})

    def do_GET(self) -> None:
        app = self.server.app
        parts = urlsplit(self.path)
        path, query = parts.path, {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        if path.startswith("/photos/"):
            self._send(200, PLACEHOLDER_JPEG, content_type="image/jpeg", headers={"Cache-Control": "max-age=86400"})
            return
        if path == "/_control/state":
            self._send(200, app.state())
            return
        if not path.startswith(app.root):
            self._send(404, odata_error("404", f"no such resource {path}"))
            return
        if not app.authorized(self.headers.get("Authorization", "")):
            self._send(
                401,
                odata_error("401", "missing, unknown or expired bearer token"),
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
            return
        with app.lock:
            app.requests.append(self.path)
        fault = app.take_fault()
        if fault in ("429", "503"):
            self._send(int(fault), odata_error(fault, "try again later"), headers={"Retry-After": app.retry_after})
            return
        if fault == "500":
            self._send(500, odata_error("500", "internal server error"))
            return
        self._resource(path.removeprefix(app.root).strip("/"), query, drop=fault == "drop")

    def _resource(self, resource: str, query: dict[str, str], *, drop: bool) -> None:
        app, base = self.server.app, self._base()
        size = app.page_size_for(self.headers.get("Prefer", ""))
        applied = {"Preference-Applied": f"odata.maxpagesize={size}"}
        try:
            if resource == "$metadata":
                with app.lock:
                    app.metadata_requests += 1
                xml = metadata_xml(mode=app.mode, expand_media=app.expand_media)
                self._send(200, xml, content_type="application/xml", drop=drop)
                return
            if resource == "":
                sets = ["Property", "Media", "OpenHouse"] + (["Lookup"] if app.mode == "string" else [])
                payload: dict[str, Any] = {
                    "@odata.context": f"{base}{app.root}/$metadata",
                    "value": [{"name": s, "kind": "EntitySet", "url": s} for s in sets],
                }
            elif resource == "Property":
                warm = app.warm_page(query, size)
                payload = warm if warm is not None else app.properties(query, base, size)  # type: ignore[assignment]
            elif resource == "Media":
                payload = app.media(query, base, size)
            elif resource == "OpenHouse":
                payload = app.open_house_page(query, base, size)
            elif resource == "Lookup" and app.mode == "string":
                payload = app._rows("Lookup", lookup_rows(), query, base, size)
            else:
                self._send(404, odata_error("404", f"no entity set {resource!r}"))
                return
        except (FilterError, ValueError) as exc:
            self._send(400, odata_error("400", str(exc)))
            return
        self._send(200, payload, drop=drop, headers=applied)


def _basic(header: str) -> tuple[str, str] | None:
    if not header.startswith("Basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except ValueError:
        return None
    return user, password


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: FakeReso, *, verbose: bool = False) -> None:
        super().__init__(address, Handler)
        self.app = app
        self.verbose = verbose


def serve_in_thread(app: FakeReso, *, host: str = "127.0.0.1", port: int = 0) -> tuple[_Server, str]:
    """Start the server on a background thread (tests); returns it and its base URL."""
    server = _Server((host, port), app)
    threading.Thread(target=server.serve_forever, name="fake-reso", daemon=True).start()
    return server, f"http://{host}:{server.server_address[1]}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--source", default="hdmls", help="the feed's source id and OriginatingSystemName")
    parser.add_argument("--active", type=int, default=4_000)
    parser.add_argument("--closed", type=int, default=5_000)
    parser.add_argument("--client", action="append", default=[], help="client_id:client_secret (repeatable)")
    parser.add_argument("--token", action="append", default=[], help="a static bearer token to accept")
    parser.add_argument("--token-ttl", type=float, default=3600.0)
    parser.add_argument("--lookups", choices=("enum", "string"), default="enum")
    parser.add_argument("--no-expand", action="store_true", help="no $expand=Media: Media is its own resource")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    clients = dict(c.split(":", 1) for c in args.client) if args.client else None
    app = FakeReso(
        seed=args.seed,
        active=args.active,
        closed=args.closed,
        source=args.source,
        clients=clients,
        static_tokens=tuple(args.token),
        token_ttl=args.token_ttl,
        lookups=args.lookups,
        expand_media=not args.no_expand,
    )
    server = _Server((args.host, args.port), app, verbose=args.verbose)
    print(f"fake RESO Web API: service root http://{args.host}:{args.port}{app.root}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
