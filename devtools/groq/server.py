"""A local fake of Groq's OpenAI-compatible chat API, for dev, demo, tests and benchmarks.

``POST /openai/v1/chat/completions`` answers as Groq does: a JSON completion, or with
``"stream": true`` Server-Sent Events of ``chat.completion.chunk`` objects (text deltas,
``tool_calls`` deltas split across chunks, a final chunk with ``finish_reason`` and
``x_groq.usage``) ending with ``data: [DONE]``; errors as ``{"error": {message, type, code}}``.

Scriptable per test (``/_control``): each completion request takes the next scripted answer:

* ``{"text": "...", "tool_calls": [{"name", "arguments"}], "tokens_per_second": 0}`` a stream;
* ``{"status": 429, "retry_after": 1}`` / ``{"status": 500}`` an error response;
* ``{"text": "...", "error_after": 2}`` an error event mid-stream, ``"drop_after"`` closes the
  connection, ``"hang_after"`` stops sending (a hung upstream);
* with nothing scripted: the default answer (``--text``, ``--tokens-per-second``).

``GET /_control/requests`` lists the request bodies received; ``POST /_control/reset`` empties
the script and the list. Thread per connection (``ThreadingHTTPServer``): a slow stream never
holds up another.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DEFAULT_TEXT = "Here is what I found for you."
ERRORS = {
    400: "invalid_request_error",
    401: "invalid_api_key",
    429: "rate_limit_exceeded",
    500: "internal_server_error",
    503: "service_unavailable",
}


class _Server(ThreadingHTTPServer):
    request_queue_size = 1024  # hundreds of streams connect at once in the benchmark
    daemon_threads = True


class FakeGroq:
    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, text: str = DEFAULT_TEXT, tps: float = 0) -> None:
        self.default = {"text": text, "tokens_per_second": tps}
        self.script: deque[dict[str, Any]] = deque()
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        fake = self

        class Handler(_Handler):
            server_fake = fake

        self.httpd = _Server((host, port), Handler)
        self.httpd.daemon_threads = True
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}" if isinstance(host, str) else f"http://{host.decode()}:{port}"

    def start(self) -> FakeGroq:
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def next_answer(self) -> dict[str, Any]:
        with self.lock:
            return self.script.popleft() if self.script else dict(self.default)

    # in-process control (tests that run the fake in their own process)
    def push(self, *answers: dict[str, Any]) -> None:
        with self.lock:
            self.script.extend(answers)

    def reset(self) -> None:
        with self.lock:
            self.script.clear()
            self.requests.clear()


def _chunks(answer: dict[str, Any], model: str) -> list[dict[str, Any]]:
    """The stream's chunk objects: role, text pieces, tool-call pieces, finish with usage."""
    cid = f"chatcmpl-{uuid.uuid4().hex[:24]}"
    now = int(time.time())

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> dict[str, Any]:
        return {
            "id": cid,
            "object": "chat.completion.chunk",
            "created": now,
            "model": model,
            "system_fingerprint": "fp_fake",
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
            **extra,
        }

    out = [chunk({"role": "assistant", "content": ""})]
    text = answer.get("text") or ""
    words = [w + " " for w in text.split(" ")] if text else []
    if words:
        words[-1] = words[-1][:-1]
    out += [chunk({"content": w}) for w in words]
    calls = answer.get("tool_calls") or []
    for i, call in enumerate(calls):
        args = call.get("arguments", "{}")
        args = args if isinstance(args, str) else json.dumps(args)
        call_id = call.get("id") or f"call_{uuid.uuid4().hex[:12]}"
        head = {"index": i, "id": call_id, "type": "function", "function": {"name": call["name"], "arguments": ""}}
        out.append(chunk({"tool_calls": [head]}))
        half = len(args) // 2  # arguments arrive in pieces, as they do from Groq
        for piece in (args[:half], args[half:]):
            if piece:
                out.append(chunk({"tool_calls": [{"index": i, "function": {"arguments": piece}}]}))
    finish = "tool_calls" if calls else "stop"
    usage = {"prompt_tokens": 50, "completion_tokens": len(words) + 5, "total_tokens": len(words) + 55}
    out.append(chunk({}, finish, x_groq={"id": f"req_{uuid.uuid4().hex[:20]}", "usage": usage}))
    return out


class _Handler(BaseHTTPRequestHandler):
    server_fake: FakeGroq
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        return json.loads(raw or b"{}")

    def do_GET(self) -> None:
        if self.path == "/_control/requests":
            with self.server_fake.lock:
                self._json(200, {"requests": list(self.server_fake.requests)})
        elif self.path in ("/health", "/_control/health"):
            self._json(200, {"ok": True})
        else:
            self._json(404, {"error": {"message": "Unknown request URL", "type": "invalid_request_error"}})

    def do_POST(self) -> None:
        fake = self.server_fake
        if self.path == "/_control/script":
            fake.push(*self._body().get("answers", []))
            return self._json(200, {"ok": True})
        if self.path == "/_control/reset":
            fake.reset()
            return self._json(200, {"ok": True})
        if self.path.rstrip("/") != "/openai/v1/chat/completions":
            return self._json(404, {"error": {"message": "Unknown request URL", "type": "invalid_request_error"}})
        if not (self.headers.get("Authorization") or "").startswith("Bearer "):
            return self._json(
                401,
                {"error": {"message": "Invalid API Key", "type": "invalid_request_error", "code": "invalid_api_key"}},
            )
        body = self._body()
        with fake.lock:
            fake.requests.append(body)
        answer = fake.next_answer()
        status = answer.get("status")
        if status:
            headers = {"retry-after": str(answer["retry_after"])} if "retry_after" in answer else {}
            message = answer.get("message") or f"fake error {status}"
            return self._json(status, {"error": {"message": message, "type": ERRORS.get(status, "api_error")}}, headers)
        if answer.get("hang_after") == 0:
            return self._hang()
        model = body.get("model", "openai/gpt-oss-120b")
        if body.get("stream"):
            return self._stream(answer, model)
        chunks = _chunks(answer, model)
        message = {"role": "assistant", "content": answer.get("text") or None}
        self._json(
            200,
            {
                "id": chunks[0]["id"],
                "object": "chat.completion",
                "model": model,
                "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
            },
        )

    def _hang(self) -> None:
        while not self.server_fake.stopping.wait(0.2):
            pass
        self.close_connection = True

    def _stream(self, answer: dict[str, Any], model: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        tps = float(answer.get("tokens_per_second") or 0)
        for n, chunk in enumerate(_chunks(answer, model)):
            if answer.get("error_after") == n:
                err = {"error": {"message": "fake upstream failure", "type": "internal_server_error"}}
                self._send(f"data: {json.dumps(err)}\n\n")
                return
            if answer.get("drop_after") == n:
                return
            if answer.get("hang_after") == n:
                return self._hang()
            if tps and chunk["choices"][0]["delta"].get("content"):
                time.sleep(1 / tps)
            if not self._send(f"data: {json.dumps(chunk)}\n\n"):
                return
        self._send("data: [DONE]\n\n")

    def _send(self, text: str) -> bool:
        try:
            self.wfile.write(text.encode())
            self.wfile.flush()
            return True
        except (BrokenPipeError, ConnectionResetError):
            return False
