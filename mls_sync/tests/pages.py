"""A server of recorded feed pages: fixture files shaped like the vendors' documented responses.

The generated fake feeds cover volume and faults; these pages cover the record shapes real
Spark and RESO servers send (tests/fixtures/*.json, written after the examples in the Spark API
and RESO Web API documentation). Bodies are served byte for byte, so tokens the JSON standard
does not allow (``NaN``, ``1e400``) reach the client as a server would send them.

Routing: ``/v1/listings?_skiptoken=T`` (Spark) and ``.../Property?$skiptoken=T`` (RESO) serve
the page registered under token ``T`` (the first page under ``""``); ``.../$metadata`` serves
``reso_metadata.xml`` (a RESO server's enum-typed metadata); ``{root}`` in a body is the
server's base URL, for ``@odata.nextLink``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


class PagesServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        self.spark: dict[str, str] = {}
        self.reso: dict[str, str] = {}
        self.requests: list[str] = []

    def serve(self, *, spark: list[str] | None = None, reso: list[str] | None = None) -> None:
        """Serve these bodies as consecutive pages: page n answers token ``""`` or ``str(n)``."""
        if spark is not None:
            self.spark = {("" if n == 0 else str(n)): body for n, body in enumerate(spark)}
        if reso is not None:
            self.reso = {("" if n == 0 else str(n)): body for n, body in enumerate(reso)}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: PagesServer

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        self.server.requests.append(self.path)
        if parts.path.rstrip("/") == "/v1/listings":
            body = self.server.spark.get(query.get("_skiptoken", ""))
        elif parts.path.endswith("/Property"):
            body = self.server.reso.get(query.get("$skiptoken", ""))
        elif parts.path.endswith("/$metadata"):
            body = fixture("reso_metadata.xml")
        else:
            body = None
        if body is None:
            self._send(404, b'{"error": {"code": "404", "message": "no such page"}}')
            return
        kind = "application/xml" if parts.path.endswith("/$metadata") else "application/json"
        self._send(200, body.replace("{root}", self.server.url).encode(), kind)

    def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def pages_server() -> Iterator[PagesServer]:
    server = PagesServer()
    threading.Thread(target=server.serve_forever, name="fixture-pages", daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
