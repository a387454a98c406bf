"""The ASGI service listens on a unix socket in production: pages that look up the Wagtail site
(the flagship's home, every site's branding) must answer there, not fail on the missing port."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from conftest import host_of


async def _get(host: str, path: str, server: tuple[str, int | None]) -> int:
    from config.asgi import application

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", host.encode())],
        "client": ("198.51.100.9", 50000),
        "server": server,
    }
    status, asked, done = 0, False, asyncio.Event()

    async def receive() -> dict[str, Any]:
        nonlocal asked
        if not asked:
            asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await done.wait()  # the client stays until the answer is complete
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body" and not message.get("more_body"):
            done.set()

    # As Django's test clients do: keep the test's connection (and its transaction) open.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        await application(scope, receive, send)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return status


@pytest.mark.django_db
@pytest.mark.parametrize("site", ["public_tenant", "sarah_site"])
def test_pages_answer_on_a_unix_socket(site: str, request: pytest.FixtureRequest) -> None:
    tenant = request.getfixturevalue(site)
    assert async_to_sync(_get)(host_of(tenant), "/", ("/run/chatrealty/asgi.sock", None)) == 200
