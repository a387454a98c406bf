"""A local Spark API (replication) server, for dev, demo and tests (RESO: ``devtools.reso``).

    python -m devtools.spark --port 8765 --seed 42 [--gps-active N ...] [--warm]

Stdlib only (no Django): it runs as a subprocess in benchmarks and in a thread in tests.
Authentication is ``Authorization: Bearer <key>``; each key selects an MLS source, and the
source ids themselves (``gps``, ``crmls``) are always valid keys. ``/_control/*`` endpoints
advance time, inject faults and reset the feed. ``--warm`` pre-encodes the pages of a full
replication at start (benchmarks), so serving them costs next to no CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import threading
import time
import zlib
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from devtools.spark.feed import DEFAULT_SIZES, FeedSet
from devtools.spark.feed.filters import FilterError, parse_filter
from devtools.spark.feed.state import STATUSES, SourceFeed
from devtools.spark.feed.wire import (
    EXPANSIONS,
    HEADER_FIELDS,
    corrupt,
    select_fields,
    spark_error,
    spark_ok,
)
from devtools.spark.photos import CACHE_HEADERS, photo_bytes
from mls_sync import jsonwire

MAX_LIMIT = 1000
FAULT_KINDS = {"429", "500", "503", "expired", "wrong_host", "malformed", "drop", "slow"}


class FakeSpark:
    """Feed + keys + fault queue + rate limiter; the HTTP handler is a thin shell around it."""

    def __init__(
        self, *, seed: int, sizes: dict[str, tuple[int, int]], keys: dict[str, str] | None = None, rate_limit: int = 0
    ) -> None:
        self.feeds = FeedSet(seed=seed, sizes=sizes)
        self.keys = {"gps": "gps", "crmls": "crmls", **(keys or {})}
        self.rate_limit = rate_limit  # requests per 5 minutes per key; 0 = unlimited
        self.lock = threading.Lock()
        self.faults: deque[str] = deque()
        self.hits: dict[str, deque[float]] = {}
        self.requests = 0
        self.malformed_served: list[str] = []
        # Pre-encoded full-replication pages (``warm``): {(source, skiptoken, base): zlib(JSON)}.
        self.pages: dict[tuple[str, str, str], bytes] = {}
        self.generation = 0  # bumped when the feed changes; a warm-up of an older feed is dropped
        self.warm_state = "off"  # off | warming | ready
        self.warm_limit = MAX_LIMIT

    def take_fault(self) -> str | None:
        with self.lock:
            self.requests += 1
            return self.faults.popleft() if self.faults else None

    def over_limit(self, key: str) -> bool:
        if not self.rate_limit:
            return False
        now = time.monotonic()
        with self.lock:
            window = self.hits.setdefault(key, deque())
            while window and window[0] < now - 300:
                window.popleft()
            if len(window) >= self.rate_limit:
                return True
            window.append(now)
            return False

    # -- pre-encoded pages -------------------------------------------------------------------------
    def warm(self, base: str, *, limit: int = MAX_LIMIT) -> None:
        """Render every page of a full replication (``_limit=limit``, all expansions, no filter)
        ahead of the requests, as the bytes the live path would send, zlib-compressed (~0.9 MB
        a page). Generating and encoding records is this server's whole CPU cost; a benchmark
        warms up first so the machine's CPU goes to the client and the database, as it would
        against the real Spark API. Any change to the feed (advance, reset) drops the pages."""
        with self.lock:
            generation = self.generation
            self.warm_state, self.warm_limit = "warming", limit
        expand = frozenset(EXPANSIONS)
        for source, feed in self.feeds.feeds.items():
            after = ""
            while True:
                positions, more, _ = feed.page(None, after=after or None, limit=limit)
                recs = [feed.record(pos, photo_base=base, expand=expand) for pos in positions]
                token = recs[-1]["Id"] if more and recs else None
                body = zlib.compress(jsonwire.dumps(spark_ok(recs, skiptoken=token, total=None, limit=limit)), 1)
                with self.lock:
                    if generation != self.generation:
                        return
                    self.pages[(source, after, base)] = body
                if token is None:
                    break
                after = token
        with self.lock:
            if generation == self.generation:
                self.warm_state = "ready"

    def warm_page(self, source: str, query: dict[str, str], base: str) -> bytes | None:
        """The pre-encoded page answering ``query``, if it is a plain full-replication request."""
        if not self.pages or set(query) - {"_limit", "_skiptoken", "_expand", "_filter", "_select"}:
            return None
        if query.get("_filter", "").strip() or query.get("_select", "").strip():
            return None
        expand = frozenset(e.strip() for e in query.get("_expand", "").split(",") if e.strip())
        if query.get("_limit") != str(self.warm_limit) or expand != EXPANSIONS:
            return None
        body = self.pages.get((source, query.get("_skiptoken", ""), base))
        return zlib.decompress(body) if body is not None else None

    def _feed_changed(self) -> None:
        with self.lock:
            self.generation += 1
            self.pages.clear()
            self.warm_state = "off"

    def control(self, action: str, body: dict[str, Any]) -> dict[str, Any]:
        if action == "advance":
            self._feed_changed()
            sources = [body["source"]] if body.get("source") else list(self.feeds.feeds)
            return {
                src: self.feeds.feeds[src].advance(
                    percent=float(body.get("percent", 1.0)), hours=float(body.get("hours", 12.0))
                )
                for src in sources
            }
        if action == "faults":
            kind, count = str(body.get("kind")), int(body.get("count", 1))
            if kind not in FAULT_KINDS:
                raise ValueError(f"unknown fault {kind!r}; one of {sorted(FAULT_KINDS)}")
            with self.lock:
                self.faults.extend([kind] * count)
            return {"queued": list(self.faults)}
        if action == "reset":
            self._feed_changed()
            with self.lock:
                self.faults.clear()
                self.hits.clear()
                self.malformed_served.clear()
            self.feeds.reset()
            return {"reset": True}
        raise KeyError(action)

    def state(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "warm": self.warm_state,
            "faults": list(self.faults),
            "malformed_served": self.malformed_served,
            "sources": {
                src: {"active": f.n_active, "closed": f.n_closed, "live": int(f.columns()[2].sum()), "clock": f.clock}
                for src, f in self.feeds.feeds.items()
            },
        }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the client reuses one connection for every page
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)

    # -- plumbing ----------------------------------------------------------------------------------
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
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if drop:  # promise the whole body, deliver half, hang up: a connection dropped mid-page
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        self.wfile.write(body)

    def _source(self) -> str | None:
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            return None
        return self.server.app.keys.get(auth[7:].strip())

    # -- routes ------------------------------------------------------------------------------------
    def do_POST(self) -> None:
        parts = urlsplit(self.path)
        if not parts.path.startswith("/_control/"):
            self._send(405, spark_error(1040, "method not allowed"))
            return
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
            self._send(200, self.server.app.control(parts.path.removeprefix("/_control/"), body))
        except KeyError:
            self._send(404, {"error": "unknown control action"})
        except (ValueError, TypeError) as exc:
            self._send(400, {"error": str(exc)})

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        path, query = parts.path, {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        if path.startswith("/photos/"):
            status, image = photo_bytes(self.server.app.feeds.feeds, path)
            self._send(status, image, content_type="image/jpeg", headers=CACHE_HEADERS)
            return
        if path == "/_control/state":
            self._send(200, self.server.app.state())
            return
        if not path.startswith("/v1/listings"):
            self._send(404, spark_error(1040, f"no such resource {path}"))
            return
        source = self._source()
        if source is None or not self.headers.get("X-SparkApi-User-Agent"):
            self._send(401, spark_error(1000))
            return
        app = self.server.app
        fault = app.take_fault()
        if fault in ("429", "503") or app.over_limit(source):
            self._send(int(fault or 429), spark_error(1550), headers={"Retry-After": "0"})
            return
        if fault == "500":
            self._send(500, spark_error(500, "Internal server error"))
            return
        if fault == "expired":
            self._send(401, spark_error(1020))
            return
        if fault == "wrong_host":
            self._send(403, spark_error(1021))
            return
        if fault == "slow":
            time.sleep(2.0)
        if path.rstrip("/") == "/v1/listings" and fault != "malformed":
            warm = app.warm_page(source, query, self._base())
            if warm is not None:
                self._send(200, warm, drop=fault == "drop")
                return
        feed = app.feeds.feeds[source]
        try:
            payload = self._spark(feed, path, query)
        except FilterError as exc:
            self._send(400, spark_error(1040, str(exc)))
            return
        if fault == "malformed":
            app.malformed_served.extend(corrupt(payload["D"]["Results"]))
        self._send(200, payload, drop=fault == "drop")

    # -- protocols ---------------------------------------------------------------------------------
    def _base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{self.headers.get('Host') or f'{host!s}:{port}'}"

    def _records(
        self, feed: SourceFeed, positions: list[int], select: list[str] | None, expand: frozenset[str]
    ) -> list[dict[str, Any]]:
        if select and set(select) <= HEADER_FIELDS and not expand:
            # Key-set and status scans touch every listing; answer them from the columns.
            status, mod, _ = feed.columns()
            out = []
            for pos in positions:
                key = feed.key_at(pos)
                fields = {
                    "ListingKey": key,
                    "ModificationTimestamp": _iso(mod[pos]),
                    "StandardStatus": STATUSES[status[pos]],
                    "MlsStatus": STATUSES[status[pos]],
                }
                out.append(
                    {"Id": key, "ResourceUri": f"/v1/listings/{key}", "StandardFields": select_fields(fields, select)}
                )
            return out
        base = self._base()
        recs = [feed.record(pos, photo_base=base, expand=expand) for pos in positions]
        if select:
            for rec in recs:
                rec["StandardFields"] = select_fields(rec["StandardFields"], select)
        return recs

    def _spark(self, feed: SourceFeed, path: str, query: dict[str, str]) -> dict[str, Any]:
        expand = frozenset(e.strip() for e in query.get("_expand", "").split(",") if e.strip()) & EXPANSIONS
        select = [s.strip() for s in query.get("_select", "").split(",") if s.strip()] or None
        if path.rstrip("/") != "/v1/listings":  # a single listing: /v1/listings/<key>
            pos = feed.position(path.rstrip("/").rsplit("/", 1)[-1])
            if pos is None or not feed.columns()[2][pos]:
                raise FilterError("no such listing")
            return spark_ok(self._records(feed, [pos], select, expand), skiptoken=None, total=None, limit=1)
        try:
            limit = int(query.get("_limit", "10"))
        except ValueError as exc:
            raise FilterError("_limit must be an integer") from exc
        if not 1 <= limit <= MAX_LIMIT:
            raise FilterError(f"_limit must be between 1 and {MAX_LIMIT}")
        node = parse_filter(query["_filter"]) if query.get("_filter", "").strip() else None
        positions, more, total = feed.page(node, after=query.get("_skiptoken") or None, limit=limit)
        results = self._records(feed, positions, select, expand)
        token = results[-1]["Id"] if more and results else None
        return spark_ok(results, skiptoken=token, total=total if query.get("_pagination") else None, limit=limit)


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(float(ts)))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: FakeSpark, *, verbose: bool = False) -> None:
        super().__init__(address, Handler)
        self.app = app
        self.verbose = verbose


def serve_in_thread(app: FakeSpark, *, host: str = "127.0.0.1", port: int = 0) -> tuple[_Server, str]:
    """Start the server on a background thread (tests); returns it and its base URL."""
    server = _Server((host, port), app)
    threading.Thread(target=server.serve_forever, name="fake-spark", daemon=True).start()
    return server, f"http://{host}:{server.server_address[1]}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m devtools.spark", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=42)
    for src, (active, closed) in DEFAULT_SIZES.items():
        parser.add_argument(f"--{src}-active", type=int, default=active)
        parser.add_argument(f"--{src}-closed", type=int, default=closed)
        parser.add_argument(
            f"--{src}-key",
            default=os.environ.get(f"SPARK_{src.upper()}_API_KEY") or None,
            help=f"API key that selects the {src} feed (the id '{src}' always works)",
        )
    parser.add_argument("--rate-limit", type=int, default=0, help="requests per 5 minutes per key (0: off)")
    parser.add_argument(
        "--warm",
        action="store_true",
        help="pre-encode every full-replication page at start (/_control/state says warm: ready)",
    )
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    sizes = {src: (getattr(args, f"{src}_active"), getattr(args, f"{src}_closed")) for src in DEFAULT_SIZES}
    keys = {getattr(args, f"{src}_key"): src for src in DEFAULT_SIZES if getattr(args, f"{src}_key")}
    app = FakeSpark(seed=args.seed, sizes=sizes, keys=keys, rate_limit=args.rate_limit)
    server = _Server((args.host, args.port), app, verbose=args.verbose)
    print(f"fake Spark API on http://{args.host}:{args.port} (seed {args.seed}, sizes {sizes})", flush=True)
    if args.warm:
        base = f"http://{args.host}:{server.server_address[1]}"
        threading.Thread(target=app.warm, args=(base,), name="fake-spark-warm", daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
