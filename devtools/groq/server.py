"""A local fake of Groq's OpenAI-compatible chat API, for dev, demo, tests and benchmarks.

``POST /openai/v1/chat/completions`` answers as Groq does: a JSON completion, or with
``"stream": true`` Server-Sent Events of ``chat.completion.chunk`` objects (text deltas,
``tool_calls`` deltas split across chunks, a final chunk with ``finish_reason`` and
``x_groq.usage``) ending with ``data: [DONE]``; errors as ``{"error": {message, type, code}}``.
Like Groq's, the connection is HTTP/1.1 keep-alive and a stream's body is chunked, so a client
pool reuses its connections.

Scriptable per test (``/_control``): each completion request takes the next scripted answer:

* ``{"text": "...", "tool_calls": [{"name", "arguments"}], "tokens_per_second": 0}`` a stream;
* ``{"status": 429, "retry_after": 1}`` / ``{"status": 500}`` an error response;
* ``{"text": "...", "error_after": 2}`` an error event mid-stream, ``"drop_after"`` closes the
  connection, ``"hang_after"`` stops sending (a hung upstream);
* with nothing scripted: the default answer (``--text``, ``--tokens-per-second``).

``GET /_control/requests`` lists the request bodies received; ``POST /_control/reset`` empties
the script and the list. One asyncio event loop (uvloop when installed) in a thread of its own:
a slow stream is a sleeping coroutine, so hundreds of streams at once cost the benchmark's
shared cores little (a thread per stream cost ~5 ms of CPU a stream).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
import uuid
from collections import deque
from typing import Any

DEFAULT_TEXT = "Here is what I found for you."
ERRORS = {
    400: "invalid_request_error",
    401: "invalid_api_key",
    429: "rate_limit_exceeded",
    500: "internal_server_error",
    503: "service_unavailable",
}
REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 429: "Too Many Requests"}
BACKLOG = 1024  # hundreds of streams connect at once in the benchmark
MAX_HEAD = 64 * 1024


def _new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


class FakeGroq:
    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        text: str = DEFAULT_TEXT,
        tps: float = 0,
        keep_alive: bool = True,
    ) -> None:
        self.default = {"text": text, "tokens_per_second": tps}
        # False: each stream's body ends when its connection closes (no chunked framing).
        self.keep_alive = keep_alive
        self.script: deque[dict[str, Any]] = deque()
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        # Bound here, so ``url`` is known (and the port taken) before ``start``.
        self.sock = socket.create_server((host, port), backlog=BACKLOG, reuse_port=False)
        self.loop = _new_loop()
        self.thread: threading.Thread | None = None
        self._server: asyncio.AbstractServer | None = None
        self._stop: asyncio.Event | None = None
        self._connections: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        host, port = self.sock.getsockname()[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeGroq:
        ready = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(ready,), daemon=True, name="fake-groq")
        self.thread.start()
        ready.wait(10)
        return self

    def _run(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)

        async def serve() -> None:
            self._stop = asyncio.Event()
            self._server = await asyncio.start_server(self._connection, sock=self.sock, backlog=BACKLOG)
            ready.set()
            await self._stop.wait()
            self._server.close()
            for task in list(self._connections):
                task.cancel()
            await asyncio.gather(*self._connections, return_exceptions=True)

        try:
            self.loop.run_until_complete(serve())
        finally:
            self.loop.close()

    def stop(self) -> None:
        self.stopping.set()
        if self.thread is not None and self.thread.is_alive() and self._stop is not None:
            self.loop.call_soon_threadsafe(self._stop.set)
            self.thread.join(10)
        with contextlib.suppress(OSError):
            self.sock.close()

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

    # -- HTTP/1.1 ------------------------------------------------------------------------------
    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            while await _Exchange(self, reader, writer).handle():
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            pass
        finally:
            self._connections.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()


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


class _Exchange:
    """One request on a connection and its answer. ``handle`` returns whether the connection
    stays open for the next request."""

    def __init__(self, fake: FakeGroq, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.fake, self.reader, self.writer = fake, reader, writer
        self.path = ""
        self.headers: dict[str, str] = {}
        self.raw = b""

    async def handle(self) -> bool:
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            return False  # the client closed its idle connection
        if len(head) > MAX_HEAD:
            return False
        lines = head.decode("latin-1").split("\r\n")
        method, self.path, _version = lines[0].split(" ", 2)
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                self.headers[name.strip().lower()] = value.strip()
        length = int(self.headers.get("content-length") or 0)
        self.raw = await self.reader.readexactly(length) if length else b""
        keep = self.headers.get("connection", "").lower() != "close"
        if method == "GET":
            return await self._get() and keep
        if method == "POST":
            return await self._post() and keep
        return await self._json(404, {"error": {"message": "Unknown method", "type": "invalid_request_error"}}) and keep

    def _body(self) -> Any:
        return json.loads(self.raw or b"{}")

    async def _json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> bool:
        data = json.dumps(body).encode()
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        self.writer.write(
            f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n{extra}\r\n".encode()
            + data
        )
        await self.writer.drain()
        return True

    async def _get(self) -> bool:
        fake = self.fake
        if self.path == "/_control/requests":
            with fake.lock:
                requests = list(fake.requests)
            return await self._json(200, {"requests": requests})
        if self.path in ("/health", "/_control/health"):
            return await self._json(200, {"ok": True})
        return await self._json(404, {"error": {"message": "Unknown request URL", "type": "invalid_request_error"}})

    async def _post(self) -> bool:
        fake = self.fake
        if self.path == "/_control/script":
            fake.push(*self._body().get("answers", []))
            return await self._json(200, {"ok": True})
        if self.path == "/_control/reset":
            fake.reset()
            return await self._json(200, {"ok": True})
        if self.path.rstrip("/") != "/openai/v1/chat/completions":
            return await self._json(404, {"error": {"message": "Unknown request URL", "type": "invalid_request_error"}})
        if not self.headers.get("authorization", "").startswith("Bearer "):
            err = {"message": "Invalid API Key", "type": "invalid_request_error", "code": "invalid_api_key"}
            return await self._json(401, {"error": err})
        body = self._body()
        with fake.lock:
            fake.requests.append(body)
        answer = fake.next_answer()
        status = answer.get("status")
        if status:
            headers = {"retry-after": str(answer["retry_after"])} if "retry_after" in answer else {}
            message = answer.get("message") or f"fake error {status}"
            err = {"message": message, "type": ERRORS.get(status, "api_error")}
            return await self._json(status, {"error": err}, headers)
        if answer.get("hang_after") == 0:
            return await self._hang()
        model = body.get("model", "openai/gpt-oss-120b")
        if body.get("stream"):
            return await self._stream(answer, model)
        chunks = _chunks(answer, model)
        message = {"role": "assistant", "content": answer.get("text") or None}
        completion = {
            "id": chunks[0]["id"],
            "object": "chat.completion",
            "model": model,
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        }
        return await self._json(200, completion)

    async def _hang(self) -> bool:
        """A hung upstream: nothing more is sent until the client gives up or the fake stops."""
        assert self.fake._stop is not None
        await self.fake._stop.wait()
        return False

    def _send(self, text: str) -> None:
        data = text.encode()
        self.writer.write(b"%x\r\n%s\r\n" % (len(data), data) if self.fake.keep_alive else data)

    def _end(self) -> bool:
        if self.fake.keep_alive:
            self.writer.write(b"0\r\n\r\n")
        return self.fake.keep_alive

    async def _stream(self, answer: dict[str, Any], model: str) -> bool:
        framing = b"Transfer-Encoding: chunked" if self.fake.keep_alive else b"Connection: close"
        self.writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n" + framing + b"\r\n\r\n"
        )
        tps = float(answer.get("tokens_per_second") or 0)
        for n, chunk in enumerate(_chunks(answer, model)):
            if answer.get("error_after") == n:
                err = {"error": {"message": "fake upstream failure", "type": "internal_server_error"}}
                self._send(f"data: {json.dumps(err)}\n\n")
                keep = self._end()
                await self.writer.drain()
                return keep
            if answer.get("drop_after") == n:
                await self.writer.drain()
                return False  # the connection closes mid-body
            if answer.get("hang_after") == n:
                await self.writer.drain()
                return await self._hang()
            if tps and chunk["choices"][0]["delta"].get("content"):
                await self.writer.drain()
                await asyncio.sleep(1 / tps)
            self._send(f"data: {json.dumps(chunk)}\n\n")
        self._send("data: [DONE]\n\n")
        keep = self._end()
        await self.writer.drain()
        return keep
