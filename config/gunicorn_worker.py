"""gunicorn's gthread worker with load shedding (``config/gunicorn.py`` selects it).

A gthread worker accepts every connection at once and queues each readable request for its
thread pool without bound. When requests arrive faster than the workers answer them for a
while (a fault, a burst) that queue grows past the clients' timeouts: the workers then spend
their CPU on answers nobody waits for any more, every answer is late, and the backlog never
drains even after the cause is gone. Here each request remembers when it was queued; one that
waited longer than ``GUNICORN_MAX_QUEUE_S`` (default 1 s) is answered ``503`` with
``Retry-After`` straight away, without running the app (microseconds instead of the
milliseconds of a page), so the queue empties within about that time once the cause is gone
and the requests still served stay fast. Under normal load nothing waits that long, so
nothing is shed.

The wait counted is from the moment gunicorn hands the connection to its pool (accepted, or a
kept-alive connection became readable) to the moment a thread takes it.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

from gunicorn.http import wsgi
from gunicorn.workers.gthread import ThreadWorker


def max_queue_s() -> float:
    """Seconds a request may wait for a thread before it is shed (0 or less: never)."""
    return float(os.environ.get("GUNICORN_MAX_QUEUE_S", "1.0"))


def shed_response(path: str) -> tuple[str, list[tuple[str, str]], bytes]:
    """The 503 a shed request gets: JSON under ``/api/`` (the API's error shape), text elsewhere."""
    message = "The service is busy. Please retry in a moment."
    if path.startswith("/api/"):
        body = json.dumps({"error": "unavailable", "message": message}).encode()
        ctype = "application/json"
    else:
        body, ctype = message.encode(), "text/plain; charset=utf-8"
    headers = [("Content-Type", ctype), ("Content-Length", str(len(body))), ("Retry-After", "1")]
    headers.append(("Cache-Control", "no-store"))
    return "503 Service Unavailable", headers, body


class SheddingThreadWorker(ThreadWorker):
    """``ThreadWorker`` that answers 503 to requests queued longer than ``max_queue_s()``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_queue_s = max_queue_s()
        self.shed = 0

    def enqueue_req(self, conn: Any) -> None:
        conn.queued_at = time.monotonic()
        super().enqueue_req(conn)

    def handle(self, conn: Any) -> Any:
        conn.dequeued_at = time.monotonic()
        return super().handle(conn)

    def handle_request(self, req: Any, conn: Any) -> bool:
        queued = getattr(conn, "queued_at", None)
        waited = getattr(conn, "dequeued_at", 0.0) - queued if queued is not None else 0.0
        conn.queued_at = None  # a request read ahead on the same connection was not queued again
        if self.max_queue_s <= 0 or waited <= self.max_queue_s:
            return bool(super().handle_request(req, conn))
        self.shed += 1
        if self.shed == 1 or self.shed % 100 == 0:
            self.log.warning("overloaded: %d request(s) shed (this one waited %.1f s for a thread)", self.shed, waited)
        resp, _environ = wsgi.create(req, conn.sock, conn.client, conn.server, self.cfg)
        status, headers, body = shed_response(req.path or "")
        resp.start_response(status, headers)
        resp.write(body)
        resp.close()
        return not resp.should_close()
