"""HTTP front of the fake: auth, idempotency, fault injection, routing, webhook delivery."""

from __future__ import annotations

import functools
import json
import logging
import queue
import re
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote, urlsplit

from devtools.stripe import api, control, pages
from devtools.stripe.formdata import decode
from devtools.stripe.objects import API_VERSION, Obj, new_id
from devtools.stripe.store import Store, StripeError
from devtools.stripe.webhooks import Deliverer

logger = logging.getLogger(__name__)
_PAGE = re.compile(r"^/(?P<kind>checkout|portal)/(?P<id>\w+)(?:/(?P<action>\w+))?$")


class FakeStripe:
    """The fake as an object: ``FakeStripe(port=0).start()`` runs it on a background thread."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        webhook_url: str | None = None,
        webhook_secret: str = "whsec_test",
        api_key: str | None = None,
        public_url: str | None = None,
    ) -> None:
        self.api_key = api_key
        self.httpd = ThreadingHTTPServer((host, port), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.fake = self  # type: ignore[attr-defined]
        # ``public_url``: where browsers reach the hosted pages when that is not the bind
        # address (``--host 0.0.0.0`` in a container, a proxy in a demo).
        self.url = (public_url or f"http://{host}:{self.httpd.server_address[1]}").rstrip("/")
        self.store = Store(base_url=self.url)
        self.deliverer = Deliverer(url=webhook_url, secret=webhook_secret)
        self.faults: list[control.Fault] = []
        self._idempotency: dict[str, tuple[str, int, bytes]] = {}
        self._idempotency_locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        # One delivery thread keeps events in the order they were emitted, and keeps API
        # calls from waiting on the app's webhook endpoint (which may be the caller itself).
        self._queue: queue.Queue[Obj] = queue.Queue()
        self._threads: list[threading.Thread] = []

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> FakeStripe:
        # A short poll interval keeps ``stop()`` (and so every test using the fake) fast.
        serve = functools.partial(self.httpd.serve_forever, poll_interval=0.02)
        for name, target in (("http", serve), ("webhooks", self._deliver_forever)):
            thread = threading.Thread(target=target, daemon=True, name=f"fake-stripe-{name}")
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def reset(self) -> None:
        self.flush()
        self.store = Store(base_url=self.url)
        self.deliverer.log.clear()
        self.faults.clear()
        self._idempotency.clear()

    def serve_forever(self) -> None:
        threading.Thread(target=self._deliver_forever, daemon=True).start()
        self.httpd.serve_forever()

    # -- webhooks --------------------------------------------------------------------------
    def enqueue(self, event: Obj) -> None:
        self._queue.put(event)

    def flush(self) -> None:
        for event in self.store.take_outbox():
            self._queue.put(event)
        self._queue.join()

    def _deliver_forever(self) -> None:
        while True:
            event = self._queue.get()
            try:
                self.deliverer.send(event)
            except Exception:
                logger.exception("delivering %s failed", event.get("id"))
            finally:
                self._queue.task_done()

    def _queue_outbox(self) -> None:
        for event in self.store.take_outbox():
            self._queue.put(event)

    # -- API -------------------------------------------------------------------------------
    def api_call(self, method: str, path: str, body: bytes, headers: Any) -> tuple[int, bytes, dict[str, str]]:
        auth = headers.get("Authorization", "")
        key = auth.removeprefix("Bearer ").strip()
        if not key.startswith(("sk_test_", "rk_test_")) or (self.api_key and key != self.api_key):
            raise StripeError(
                401,
                "Invalid API Key provided: " + (key[:12] + "***" if key else "no key. Provide it as a Bearer token."),
            )
        fault = self._take_fault(path)
        if fault and fault.kind == "hang":
            time.sleep(fault.seconds)
        elif fault and not fault.after:
            raise StripeError(fault.status, "An unknown error occurred (simulated).", type="api_error")
        idem_key = headers.get("Idempotency-Key") if method in ("POST", "DELETE") else None
        extra: dict[str, str] = {}
        if idem_key:
            status, payload, extra = self._idempotent(idem_key, method, path, body)
        else:
            status, payload = self._execute(method, path, body)
        self._queue_outbox()
        if fault and fault.kind == "error" and fault.after:
            raise StripeError(fault.status, "An unknown error occurred (simulated).", type="api_error")
        return status, payload, extra

    def _take_fault(self, path: str) -> control.Fault | None:
        with self._guard:
            for i, fault in enumerate(self.faults):
                if path.startswith(fault.path):
                    return self.faults.pop(i)
        return None

    def _idempotent(self, key: str, method: str, path: str, body: bytes) -> tuple[int, bytes, dict[str, str]]:
        fingerprint = f"{method} {path} {body.decode()}"
        with self._guard:
            lock = self._idempotency_locks.setdefault(key, threading.Lock())
        with lock:
            if key in self._idempotency:
                seen, status, payload = self._idempotency[key]
                if seen != fingerprint:
                    raise StripeError(
                        400,
                        "Keys for idempotent requests can only be used with "
                        "the same parameters they were first used with.",
                        type="idempotency_error",
                    )
                return status, payload, {"Idempotent-Replayed": "true", "Idempotency-Key": key}
            try:
                status, payload = self._execute(method, path, body)
            except StripeError as exc:
                if exc.status >= 500:
                    raise
                status, payload = exc.status, json.dumps(exc.body()).encode()
            self._idempotency[key] = (fingerprint, status, payload)
            return status, payload, {"Idempotency-Key": key}

    def _execute(self, method: str, path: str, body: bytes) -> tuple[int, bytes]:
        params = decode(body.decode())
        obj = api.dispatch(self.store, method, path, params)
        return 200, json.dumps(obj, indent=2).encode()


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeStripe/1.0"
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle on, keep-alive clients wait for
    # a delayed ACK (~40 ms) on every call.
    disable_nagle_algorithm = True

    @property
    def fake(self) -> FakeStripe:
        return self.server.fake  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def _handle(self, method: str) -> None:
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if method in ("GET", "DELETE") and split.query:
            body = split.query.encode() + (b"&" + body if body else b"")
        try:
            if split.path.startswith("/v1/"):
                status, payload, extra = self.fake.api_call(method, split.path, body, self.headers)
                self._send(status, payload, "application/json", extra)
            elif split.path.startswith("/_control/"):
                params = (
                    json.loads(body)
                    if self.headers.get("Content-Type", "").startswith("application/json") and body
                    else decode(body.decode())
                )
                result = control.handle(self.fake, method, split.path, params)
                self._send(200, json.dumps(result, indent=2).encode(), "application/json")
            elif m := _PAGE.match(split.path):
                self._page(method, m, decode(body.decode()))
            else:
                raise StripeError(404, f"Unrecognized request URL ({method}: {split.path}).")
        except StripeError as exc:
            self._send(exc.status, json.dumps(exc.body(), indent=2).encode(), "application/json")
        except (ValueError, KeyError) as exc:
            err = StripeError(400, f"Invalid request: {exc}")
            self._send(400, json.dumps(err.body()).encode(), "application/json")

    def _page(self, method: str, m: re.Match[str], form: dict[str, Any]) -> None:
        store = self.fake.store
        if m["kind"] == "checkout":
            session = store.get("checkout.session", m["id"])
            if method == "GET":
                return self._send(200, pages.checkout_page(store, session).encode(), "text/html")
            status, location, html = pages.checkout_submit(store, session, form)
            self.fake.flush()
            return self._send(status, html.encode(), "text/html", {"Location": location} if location else {})
        session = store.get("billing_portal.session", m["id"])
        notice = None
        if method == "POST" and m["action"]:
            try:
                notice = pages.portal_submit(store, session, m["action"], form)
            except StripeError as exc:
                notice = exc.message
            self.fake.flush()
            return self._send(
                303, b"", "text/html", {"Location": f"/portal/{session['id']}?notice={quote(notice or '')}"}
            )
        self._send(200, pages.portal_page(store, session, notice=form.get("notice")).encode(), "text/html")

    def _send(self, status: int, payload: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status, HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "")
            self.send_header("Content-Type", f"{content_type}; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Request-Id", new_id("req_"))
            self.send_header("Stripe-Version", API_VERSION)
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (a simulated hang outlived its timeout): nothing to answer.
            pass
