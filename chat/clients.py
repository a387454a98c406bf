"""Groq through the official ``groq`` SDK, and the circuit breaker in front of it.

``groq_stream`` streams one chat completion: text deltas as they arrive and, at the end, the
tool calls assembled from their deltas. The SDK retries a request that failed before
streaming (429 and 5xx, honouring ``retry-after``) up to ``GROQ_MAX_RETRIES`` times; a
failure after that, or mid-stream (an error event, a dropped connection, a hang longer than
``GROQ_READ_TIMEOUT``), raises ``ModelUnavailable`` and counts against the breaker. After
``CHAT_BREAKER_FAILURES`` failures in a row the breaker opens for ``CHAT_BREAKER_SECONDS``:
the assistant answers offline without trying Groq, then lets one request probe it again.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)


class ModelUnavailable(Exception):
    """Groq failed (after the SDK's retries) or the breaker is open."""


class CircuitBreaker:
    def __init__(self, *, failures: int, seconds: float) -> None:
        self.threshold, self.seconds = failures, seconds
        self._failures = 0
        self._open_until = 0.0
        self._probing = False
        self._lock = threading.Lock()

    def allow(self) -> bool:
        """May a request go to Groq now? While open, no; once the time is up, one probe."""
        with self._lock:
            if self._failures < self.threshold:
                return True
            if time.monotonic() < self._open_until or self._probing:
                return False
            self._probing = True
            return True

    def success(self) -> None:
        with self._lock:
            self._failures, self._probing = 0, False

    def failure(self) -> None:
        with self._lock:
            self._failures += 1
            self._probing = False
            if self._failures >= self.threshold:
                self._open_until = time.monotonic() + self.seconds

    @property
    def is_open(self) -> bool:
        with self._lock:
            return self._failures >= self.threshold and time.monotonic() < self._open_until


_breaker: CircuitBreaker | None = None


def breaker() -> CircuitBreaker:
    global _breaker
    if _breaker is None or (_breaker.threshold, _breaker.seconds) != (
        settings.CHAT_BREAKER_FAILURES,
        settings.CHAT_BREAKER_SECONDS,
    ):
        _breaker = CircuitBreaker(failures=settings.CHAT_BREAKER_FAILURES, seconds=settings.CHAT_BREAKER_SECONDS)
    return _breaker


def groq_configured() -> bool:
    return settings.LLM_BACKEND == "groq" and bool(settings.GROQ_API_KEY)


# One SDK client per event loop (its connection pool belongs to the loop that opened it).
_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, tuple[tuple[Any, ...], Any]] = (
    weakref.WeakKeyDictionary()
)


def groq_client() -> Any:
    """The ``groq.AsyncGroq`` client for this event loop, built from settings when first used."""
    from groq import AsyncGroq, DefaultAsyncHttpxClient

    if not settings.GROQ_API_KEY:
        raise ImproperlyConfigured("LLM_BACKEND=groq needs GROQ_API_KEY (see .env.example).")
    loop = asyncio.get_running_loop()
    config = (
        settings.GROQ_API_KEY,
        settings.GROQ_BASE_URL,
        settings.GROQ_CONNECT_TIMEOUT,
        settings.GROQ_READ_TIMEOUT,
        settings.GROQ_MAX_RETRIES,
        settings.GROQ_MAX_CONNECTIONS,
        settings.GROQ_KEEPALIVE_CONNECTIONS,
    )
    cached = _clients.get(loop)
    if cached is None or cached[0] != config:
        timeout = httpx.Timeout(settings.GROQ_READ_TIMEOUT, connect=settings.GROQ_CONNECT_TIMEOUT)
        # Every stream open at once holds a connection: the SDK's default pool (100) made the
        # 101st stream of a worker wait for another's answer to finish.
        # Idle connections kept for the next streams (a new one to Groq costs a TLS handshake).
        limits = httpx.Limits(
            max_connections=settings.GROQ_MAX_CONNECTIONS,
            max_keepalive_connections=settings.GROQ_KEEPALIVE_CONNECTIONS,
        )
        client = AsyncGroq(
            api_key=settings.GROQ_API_KEY,
            base_url=settings.GROQ_BASE_URL or None,
            timeout=timeout,
            max_retries=settings.GROQ_MAX_RETRIES,
            http_client=DefaultAsyncHttpxClient(timeout=timeout, limits=limits),
        )
        cached = _clients[loop] = (config, client)
    return cached[1]


@dataclass
class ToolCallDraft:
    id: str = ""
    name: str = ""
    arguments: str = ""


@dataclass
class Completion:
    """What one streamed completion produced, filled as the stream goes."""

    text: str = ""
    tool_calls: list[ToolCallDraft] = field(default_factory=list)
    finish_reason: str | None = None


async def groq_stream(
    *, messages: list[dict[str, Any]], tools: list[dict[str, Any]], completion: Completion
) -> AsyncIterator[str]:
    """Yield text deltas of one completion; tool calls land in ``completion``. Raises
    ``ModelUnavailable`` on any failure, after recording it with the breaker.

    The SDK sends the request (auth, retries honouring ``retry-after``, status errors). What
    costs CPU on the path every visitor waits on is kept out of its generic machinery: the
    messages and the tool schemas go in ``extra_body`` as they are (``create`` would walk them
    through its TypedDict transform on every request), and the streamed body is read as bytes
    and split into ``data:`` lines here (orjson), not as SDK models nor through httpx's text
    and line decoders. Each piece of the body is yielded as it arrives (the text of the
    chunks in it, as one delta)."""
    import groq

    cb = breaker()
    if not cb.allow():
        raise ModelUnavailable("circuit open")
    drafts: dict[int, ToolCallDraft] = {}
    extra: dict[str, Any] = {"messages": messages}
    if tools:
        extra.update(tools=tools, tool_choice="auto")
    try:
        async with groq_client().chat.completions.with_streaming_response.create(
            model=settings.GROQ_MODEL, messages=[], stream=True, temperature=0.2, extra_body=extra
        ) as response:
            lines = SseLines()
            async for data in response.iter_bytes():
                text = "".join(_apply_chunk(chunk, drafts, completion) for chunk in lines.feed(data))
                if text:
                    yield text
                if lines.done:
                    break
        if completion.finish_reason is None:  # the connection ended without the last chunk
            raise ValueError("the stream ended before the answer was complete")
    except (groq.GroqError, httpx.HTTPError, ValueError) as exc:
        cb.failure()
        logger.warning("groq failed: %s: %s", type(exc).__name__, str(exc)[:300])
        raise ModelUnavailable(str(exc)[:300]) from exc
    cb.success()
    completion.tool_calls = [drafts[i] for i in sorted(drafts)]


class SseLines:
    """Server-Sent Events ``data:`` payloads from a byte stream cut anywhere: ``feed`` returns
    the chunk objects completed by each piece; ``done`` once ``data: [DONE]`` has been read.
    An ``error`` event raises ``ValueError``."""

    def __init__(self) -> None:
        self.rest = b""
        self.done = False

    def feed(self, data: bytes) -> list[dict[str, Any]]:
        import orjson

        *lines, self.rest = (self.rest + data).split(b"\n")
        out: list[dict[str, Any]] = []
        for line in lines:
            if self.done or not line.startswith(b"data:"):
                continue
            payload = line[5:].strip()
            if payload == b"[DONE]":
                self.done = True
                continue
            chunk = orjson.loads(payload)
            if chunk.get("error"):
                raise ValueError(f"error event: {str(chunk['error'])[:200]}")
            out.append(chunk)
        return out


def _apply_chunk(chunk: dict[str, Any], drafts: dict[int, ToolCallDraft], completion: Completion) -> str:
    """Fold one ``chat.completion.chunk`` into the completion; returns its text delta."""
    out = ""
    choices = chunk.get("choices") or []
    for choice in choices[:1]:
        delta = choice.get("delta") or {}
        if delta.get("content"):
            completion.text += delta["content"]
            out += delta["content"]
        for tc in delta.get("tool_calls") or ():
            draft = drafts.setdefault(int(tc.get("index", 0)), ToolCallDraft())
            if tc.get("id"):
                draft.id = tc["id"]
            fn = tc.get("function") or {}
            draft.name += fn.get("name") or ""
            draft.arguments += fn.get("arguments") or ""
        if choice.get("finish_reason"):
            completion.finish_reason = choice["finish_reason"]
    return out
