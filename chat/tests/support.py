"""Helpers for the assistant's tests: the listing store they ask about, and reading a
Server-Sent Events stream from the in-process ASGI handler (``AsyncClient``)."""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
from typing import Any

from asgiref.sync import async_to_sync
from django.core.signals import request_finished, request_started
from django.db import close_old_connections


def parse_sse(raw: bytes) -> list[tuple[str, dict[str, Any]]]:
    events = []
    for block in raw.decode().split("\n\n"):
        name, data = "message", ""
        for line in block.splitlines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                data += line[6:]
        if data:
            events.append((name, json.loads(data)))
    return events


def visitor_address() -> str:
    """A client address of its own (TEST-NET-2): visitors are metered per address too, and the
    counters live in committed rows, so one shared address would carry one test's messages into
    the next. Tests about an address's allowance pass ``client=`` themselves."""
    return f"198.51.100.{next(_addresses) % 254 + 1}"


_addresses = itertools.count(secrets.randbelow(254))


async def asgi_request(
    method: str,
    host: str,
    path: str,
    body: dict[str, Any] | None = None,
    *,
    cookies: str = "",
    disconnect_after: int | None = None,
    client: str | None = None,
    server: tuple[str, int | None] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """One request through production's ASGI application (``config.asgi``). ``disconnect_after``:
    the client goes away once that many body chunks have arrived; ``server``: where the server
    listens (a unix socket is ``(path, None)``)."""
    from config.asgi import application

    payload = json.dumps(body).encode() if body is not None else b""
    headers = [(b"host", host.encode()), (b"content-type", b"application/json")]
    headers.append((b"content-length", str(len(payload)).encode()))
    if cookies:
        headers.append((b"cookie", cookies.encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": headers,
        "client": (client or visitor_address(), 50000),
        "server": server or (host, 80),
    }
    sent_body = False
    gone = asyncio.Event()
    status, out_headers, chunks = 0, {}, []

    async def receive() -> dict[str, Any]:
        nonlocal sent_body
        if not sent_body:
            sent_body = True
            return {"type": "http.request", "body": payload, "more_body": False}
        await gone.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status, out_headers
        if message["type"] == "http.response.start":
            status = message["status"]
            for k, v in message["headers"]:
                name = k.decode().lower()
                if name == "set-cookie":
                    cookie = v.decode().split(";", 1)[0]
                    out_headers["set-cookie"] = out_headers.get("set-cookie", "") + cookie + "\n"
                else:
                    out_headers[name] = v.decode()
        elif message["type"] == "http.response.body":
            if message.get("body"):
                chunks.append(message["body"])
            if disconnect_after is not None and len(chunks) >= disconnect_after:
                gone.set()
            if not message.get("more_body"):
                gone.set()

    # As Django's test clients do: keep the test's (transactional) connection open.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        await application(scope, receive, send)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return status, out_headers, b"".join(chunks)


class Visitor:
    """A browser's cookie jar on one site: keeps the anonymous id and session cookies."""

    def __init__(self, host: str, client: str | None = None) -> None:
        self.host, self.client = host, client or visitor_address()
        self.cookies: dict[str, str] = {}

    def header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def keep(self, headers: dict[str, str]) -> None:
        for line in headers.get("set-cookie", "").splitlines():
            name, _, value = line.partition("=")
            self.cookies[name] = value

    def request(self, method: str, path: str, body: dict[str, Any] | None = None, **kw: Any) -> tuple[int, Any]:
        status, headers, raw = async_to_sync(asgi_request)(
            method, self.host, path, body, cookies=self.header(), client=self.client, **kw
        )
        self.keep(headers)
        if headers.get("content-type", "").startswith("text/event-stream"):
            return status, parse_sse(raw)
        return status, json.loads(raw) if raw else None

    def chat(self, body: dict[str, Any], **kw: Any) -> tuple[int, Any]:
        return self.request("POST", "/api/chat/stream", body, **kw)


def chat(host: str, body: dict[str, Any], **kw: Any) -> tuple[int, Any]:
    """POST /api/chat/stream as a new visitor; (status, events) or (status, JSON error)."""
    return Visitor(host).chat(body, **kw)


def text_of(events: list[tuple[str, dict[str, Any]]]) -> str:
    return "".join(d["text"] for e, d in events if e == "token")


def results_of(events: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    return [d for e, d in events if e == "tool_result"]
