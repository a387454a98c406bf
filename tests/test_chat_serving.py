"""The assistant as deployed: the ASGI service (gunicorn + uvicorn workers,
config/gunicorn_asgi.py) behind the sample nginx config (platform/nginx/chatrealty.conf, as
shipped, with only paths, ports and the test host names moved), the model answering slowly
(the fake Groq at 5 tokens a second). The first event must reach the client long before the
answer is complete: nothing on the way may buffer the stream."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devtools.groq.server import FakeGroq
from tests.e2e.fixtures import app_server_env
from tests.test_nginx_sample import NGINX, Nginx, _Connection, _free_port, _render

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx is installed by platform/install-system.sh")
WORDS = 20
TOKENS_PER_SECOND = 5


@pytest.fixture(scope="module")
def deployed(django_db_setup: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Nginx, FakeGroq]]:
    tmp = tmp_path_factory.mktemp("deployed")
    for d in ("static", "media", "certs", "acme", "logs", "temp"):
        (tmp / d).mkdir()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-keyout", str(tmp / "certs/privkey.pem"), "-out", str(tmp / "certs/fullchain.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    fake = FakeGroq().start()
    env = app_server_env(
        LLM_BACKEND="groq", GROQ_API_KEY="gsk_test", GROQ_BASE_URL=fake.url, CHAT_RATE_PER_MINUTE="1000"
    )
    app = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "python:config.gunicorn_asgi", "config.asgi",
         "--bind", f"unix:{tmp}/chat.sock", "--workers", "1", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    port_https, port_http = _free_port(), _free_port()
    conf = _render((ROOT / "platform/nginx/chatrealty.conf").read_text(), tmp, port_https, port_http)
    assert "unix:/run/chatrealty/chat.sock" in conf
    conf = conf.replace("unix:/run/chatrealty/chat.sock", f"unix:{tmp}/chat.sock")
    conf = conf.replace(
        "server_name jpsrealtor.com www.jpsrealtor.com .chatrealty.io;", "server_name localhost .localhost;"
    )
    (tmp / "site.conf").write_text(conf)
    user = "user root;\n" if os.geteuid() == 0 else ""
    (tmp / "nginx.conf").write_text(
        f"{user}worker_processes 1;\npid {tmp}/nginx.pid;\nerror_log {tmp}/logs/error.log warn;\n"
        "events { worker_connections 256; }\n"
        f"http {{\n  include /etc/nginx/mime.types;\n  access_log off;\n"
        + "".join(f"  {t}_temp_path {tmp}/temp/{t};\n" for t in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        + f"  include {tmp}/site.conf;\n}}\n"
    )
    started = subprocess.run([NGINX, "-c", str(tmp / "nginx.conf"), "-p", str(tmp)], capture_output=True, text=True)
    assert started.returncode == 0, started.stderr
    try:
        deadline = time.monotonic() + 90
        while not (tmp / "chat.sock").exists():
            assert app.poll() is None and time.monotonic() < deadline, "the ASGI service did not start"
            time.sleep(0.2)
        nginx = Nginx(port=port_https, media=tmp / "media")
        while True:  # the worker imports Django before its first answer: seconds on a busy machine
            try:
                if nginx.get("localhost", "/api/chat/conversations")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the ASGI service does not answer through nginx"
            time.sleep(0.5)
        yield nginx, fake
    finally:
        os.kill(int((tmp / "nginx.pid").read_text()), 15)
        app.terminate()
        app.wait(timeout=20)
        fake.stop()


def _chat(nginx: Nginx, message: str) -> tuple[Any, Any]:
    conn = _Connection("localhost", nginx.port)
    body = json.dumps({"message": message}).encode()
    conn.request(
        "POST", "/api/chat/stream", body=body, headers={"Host": "localhost", "Content-Type": "application/json"}
    )
    return conn, conn.getresponse()


def test_the_first_event_arrives_before_the_answer_is_complete(deployed: tuple[Nginx, FakeGroq]) -> None:
    nginx, fake = deployed
    conn, response = _chat(nginx, "hello")  # warm the worker (imports, the model's client)
    response.read()
    conn.close()
    fake.push({"text": " ".join(f"word{i}" for i in range(WORDS)), "tokens_per_second": TOKENS_PER_SECOND})
    started = time.monotonic()
    conn, response = _chat(nginx, "tell me about the desert")
    assert response.status == 200
    assert response.getheader("Content-Type", "").startswith("text/event-stream")
    first_event_at: float | None = None
    events: list[tuple[str, Any]] = []
    name = ""
    while True:
        line = response.readline()
        if not line:
            break
        text = line.decode().rstrip("\n")
        if text.startswith("event: "):
            name = text[7:]
            if first_event_at is None:
                first_event_at = time.monotonic() - started
        elif text.startswith("data: "):
            events.append((name, json.loads(text[6:])))
    total = time.monotonic() - started
    conn.close()
    assert [e for e, _ in events][-1] == "done"
    assert "".join(d["text"] for e, d in events if e == "token") == " ".join(f"word{i}" for i in range(WORDS))
    assert total >= (WORDS - 1) / TOKENS_PER_SECOND * 0.9
    assert first_event_at is not None and first_event_at < total / 3, (first_event_at, total)
