"""Load shedding in production's gunicorn worker (config/gunicorn_worker.py): past its capacity a
real gunicorn answers the requests that waited too long for a thread with a fast 503 instead
of queueing them, and under a load it can carry it sheds nothing."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from config.gunicorn_worker import shed_response

ROOT = Path(__file__).resolve().parents[1]
WORK_S = 0.2  # what each request of the app below costs


def slow_app(environ: dict, start_response: Callable) -> Iterable[bytes]:
    """A WSGI app whose every answer takes WORK_S (one thread: 5 answers a second)."""
    time.sleep(WORK_S)
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(port: int, path: str) -> tuple[int, dict[str, str], bytes, float]:
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body, time.monotonic() - started


@pytest.fixture(scope="module")
def server() -> Iterator[int]:
    port = _free_port()
    env = {**os.environ, "GUNICORN_MAX_QUEUE_S": "0.5", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "tests.test_load_shedding:slow_app", "--bind", f"127.0.0.1:{port}",
         "--worker-class", "config.gunicorn_worker.SheddingThreadWorker", "--workers", "1", "--threads", "1",
         "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(port, "/")
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def test_a_load_within_capacity_is_never_shed(server: int) -> None:
    answers = [_get(server, "/") for _ in range(5)]
    assert [a[0] for a in answers] == [200] * 5


def test_a_backlog_past_the_limit_is_answered_503_fast(server: int) -> None:
    # 30 requests at once against 5 answers a second: served in order, the later ones would
    # wait up to 6 s; only those that waited under 0.5 s may be served.
    with ThreadPoolExecutor(max_workers=30) as pool:
        answers = list(pool.map(lambda p: _get(server, p), ["/"] * 20 + ["/api/listings"] * 10))
    served = [a for a in answers if a[0] == 200]
    shed = [a for a in answers if a[0] == 503]
    assert len(served) + len(shed) == 30
    assert 1 <= len(served) <= 10, [a[0] for a in answers]
    assert len(shed) >= 20
    # Nobody waited behind the whole backlog: the served ones came within the limit plus
    # their own work (and a margin for a loaded machine), and a shed answer costs no work.
    assert max(a[3] for a in served) < 0.5 + 2 * WORK_S + 1.5
    assert all(a[1]["retry-after"] == "1" for a in shed)
    api = [a for a in shed if a[2].startswith(b"{")]
    assert api and all(json.loads(a[2])["error"] == "unavailable" for a in api)
    # Once the burst is gone the next request is served at once.
    status, _h, body, took = _get(server, "/")
    assert (status, body) == (200, b"ok") and took < 0.5 + WORK_S + 1.5


def test_the_shed_answer_keeps_the_api_error_shape() -> None:
    status, headers, body = shed_response("/api/listings")
    assert status.startswith("503")
    assert dict(headers)["Content-Type"] == "application/json"
    assert json.loads(body) == {"error": "unavailable", "message": "The service is busy. Please retry in a moment."}
    assert dict(shed_response("/listings/x/")[1])["Content-Type"].startswith("text/plain")
