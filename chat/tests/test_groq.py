"""Scripted conversations with the fake Groq server (devtools/groq), driven by the real
``groq`` SDK through ``GROQ_BASE_URL``: tool calls, invalid arguments, and failures that
switch the turn to the offline assistant."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from chat import clients
from chat.tests.support import chat, results_of, text_of
from devtools.groq.server import FakeGroq

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def fake_groq() -> Iterator[FakeGroq]:
    fake = FakeGroq().start()
    yield fake
    fake.stop()


@pytest.fixture
def groq(fake_groq: FakeGroq, settings: Any) -> FakeGroq:
    settings.LLM_BACKEND = "groq"
    settings.GROQ_API_KEY = "gsk_test_key"
    settings.GROQ_BASE_URL = fake_groq.url
    settings.GROQ_MAX_RETRIES = 2
    settings.GROQ_READ_TIMEOUT = 1.5
    settings.CHAT_BREAKER_FAILURES = 3
    settings.LISTINGS_READMODEL_REFRESH = False
    clients._breaker = None
    fake_groq.reset()
    return fake_groq


def host(tenant: Any) -> str:
    return tenant.get_primary_domain().domain


def call(name: str, arguments: Any) -> dict[str, Any]:
    return {"name": name, "arguments": arguments}


def test_one_tool_call_then_the_answer(store: Any, groq: FakeGroq, public_tenant: Any) -> None:
    groq.push(
        {"tool_calls": [call("search_listings", {"city": "Palm Springs", "minBeds": 3, "maxPrice": 2000000})]},
        {"text": "I found homes in Palm Springs for you."},
    )
    status, events = chat(host(public_tenant), {"message": "Find 3 bed homes in Palm Springs under $2M"})
    assert status == 200
    calls = [d for e, d in events if e == "tool_call"]
    assert calls == [
        {
            "id": calls[0]["id"],
            "name": "search_listings",
            "arguments": {"city": "Palm Springs", "minBeds": 3, "maxPrice": 2000000},
        }
    ]
    result = results_of(events)[0]
    assert result["ok"] and all(c["city"] == "Palm Springs" for c in result["cards"])
    assert text_of(events) == "I found homes in Palm Springs for you."
    first, second = groq.requests
    assert first["model"] == "openai/gpt-oss-120b" and first["stream"] is True
    assert {t["function"]["name"] for t in first["tools"]} >= {"search_listings", "get_listing", "market_stats"}
    assert "Palm Springs" in first["messages"][-1]["content"]
    tool_message = second["messages"][-1]
    assert tool_message["role"] == "tool" and tool_message["tool_call_id"] == calls[0]["id"]
    assert '"total":' in tool_message["content"]


def test_several_tool_calls_in_one_step(store: Any, groq: FakeGroq, public_tenant: Any) -> None:
    groq.push(
        {
            "tool_calls": [
                call("market_stats", {"city": "Palm Springs"}),
                call("search_listings", {"city": "Palm Springs", "sort": "price_asc", "limit": 2}),
            ]
        },
        {"tool_calls": [call("show_on_map", {"city": "Palm Springs"})]},
        {"text": "Done."},
    )
    status, events = chat(host(public_tenant), {"message": "How is the market in Palm Springs?"})
    names = [d["name"] for e, d in events if e == "tool_result"]
    assert names == ["market_stats", "search_listings", "show_on_map"]
    assert all(d["ok"] for d in results_of(events))
    assert results_of(events)[2]["url"] == "/map/?city=Palm+Springs"
    assert len(groq.requests) == 3


@pytest.mark.parametrize(
    "arguments, field",
    [
        ({"minBeds": "three"}, "minBeds"),
        ({"maxPrice": {"$lt": 500000}}, "maxPrice"),
        ({"city": {"$regex": ".*"}}, "city"),
        ({"minBeds": 99}, "minBeds"),
        ({"dropTables": True}, "dropTables"),
        ({"minPrice": 900000, "maxPrice": 100000}, "minPrice"),
        ('{"city": "Palm', None),
    ],
)
def test_invalid_arguments_go_back_to_the_model(
    store: Any, groq: FakeGroq, public_tenant: Any, arguments: Any, field: str | None
) -> None:
    groq.push({"tool_calls": [call("search_listings", arguments)]}, {"text": "Let me fix that."})
    status, events = chat(host(public_tenant), {"message": "homes"})
    result = results_of(events)[0]
    assert result["ok"] is False
    tool_message = groq.requests[1]["messages"][-1]
    assert '"error":"invalid_arguments"' in tool_message["content"]
    if field:
        assert field in tool_message["content"]
    assert text_of(events) == "Let me fix that."


def test_retries_a_429_after_retry_after(store: Any, groq: FakeGroq, public_tenant: Any) -> None:
    groq.push({"status": 429, "retry_after": 1}, {"text": "Answer after waiting."})
    started = time.monotonic()
    status, events = chat(host(public_tenant), {"message": "hello"})
    assert text_of(events) == "Answer after waiting."
    assert time.monotonic() - started >= 1.0
    assert len(groq.requests) == 2


@pytest.mark.parametrize(
    "script",
    [
        [{"status": 500}, {"status": 500}, {"status": 500}],
        [{"status": 429, "retry_after": 0}] * 3,
        [{"text": "Looking at Palm Springs now", "error_after": 3}],
        [{"text": "Looking at Palm Springs now", "drop_after": 3}],
        [{"text": "Looking at Palm Springs now", "hang_after": 3}],
        [{"hang_after": 0}] * 3,
    ],
    ids=["500s", "429s", "error-event", "dropped", "hang-mid-stream", "hang"],
)
def test_failures_fall_back_to_the_offline_assistant(
    store: Any, groq: FakeGroq, public_tenant: Any, script: list[dict[str, Any]]
) -> None:
    groq.push(*script)
    status, events = chat(host(public_tenant), {"message": "3 bed homes in Palm Springs"})
    assert status == 200 and events[-1][0] == "done"
    calls = [d for e, d in events if e == "tool_call"]
    assert calls and calls[-1]["arguments"] == {"city": "Palm Springs", "minBeds": 3}
    assert "I found" in text_of(events) or "couldn't find" in text_of(events)
    assert events[-1][1]["usage"]["used"] == 1  # answered (offline): counted once


def test_the_breaker_stops_calling_groq_while_it_fails(store: Any, groq: FakeGroq, public_tenant: Any) -> None:
    groq.push(*[{"status": 503}] * 9)
    for _ in range(3):
        chat(host(public_tenant), {"message": "homes in Indio"})
    asked = len(groq.requests)
    assert asked == 9  # 3 messages x (1 + 2 retries)
    status, events = chat(host(public_tenant), {"message": "homes in Indio"})
    assert status == 200 and results_of(events)
    assert len(groq.requests) == asked  # circuit open: answered offline without asking Groq


def test_streams_past_the_sdks_default_pool_do_not_wait_for_others(groq: FakeGroq) -> None:
    """The SDK's default pool holds 100 connections: the 101st stream of a worker waited for
    another's whole answer before its request was even sent."""
    import asyncio

    count = 130
    groq.push(*[{"text": "one two three four five six", "tokens_per_second": 3} for _ in range(count)])
    firsts: list[float] = []
    ends: list[float] = []

    async def one() -> None:
        completion = clients.Completion()
        stream = clients.groq_stream(messages=[{"role": "user", "content": "hi"}], tools=[], completion=completion)
        async for _delta in stream:
            if not completion.text.startswith("one two"):  # the first delta
                firsts.append(time.monotonic())
        ends.append(time.monotonic())

    async def all_of_them() -> None:
        await asyncio.gather(*(one() for _ in range(count)))

    asyncio.run(all_of_them())
    assert len(firsts) == count and len(ends) == count
    assert max(firsts) < min(ends), "a stream's request waited for another stream to finish"


def test_sse_lines_from_a_stream_cut_anywhere() -> None:
    """The streamed body is split into ``data:`` chunks here (not by the SDK): the same chunks
    whatever the network's cuts, CRLF or LF, nothing after ``[DONE]``, an error event raises."""
    body = (
        b'data: {"choices":[{"delta":{"content":"Hi "}}]}\r\n\r\n'
        b": keep-alive comment\n\n"
        b'data: {"choices":[{"delta":{"content":"there"},"finish_reason":"stop"}]}\n\n'
        b"data: [DONE]\n\n"
        b'data: {"choices":[{"delta":{"content":"never"}}]}\n\n'
    )
    whole = clients.SseLines()
    assert [c["choices"][0]["delta"]["content"] for c in whole.feed(body)] == ["Hi ", "there"] and whole.done
    cut = clients.SseLines()
    pieces = [cut.feed(body[i : i + 1]) for i in range(len(body))]
    assert [c["choices"][0]["delta"]["content"] for piece in pieces for c in piece] == ["Hi ", "there"]
    with pytest.raises(ValueError, match="error event"):
        clients.SseLines().feed(b'data: {"error":{"message":"overloaded"}}\n\n')


def test_a_slow_models_tokens_come_one_by_one_as_they_arrive(groq: FakeGroq) -> None:
    """The body is read as bytes: each token is yielded when its chunk arrives, the deltas
    add up to the answer, and a fast model's answer comes whole too."""
    import asyncio

    async def deltas(answer: dict[str, Any]) -> list[tuple[str, float]]:
        groq.push(answer)
        completion = clients.Completion()
        stream = clients.groq_stream(messages=[{"role": "user", "content": "hi"}], tools=[], completion=completion)
        out = [(d, time.monotonic()) async for d in stream]
        assert "".join(d for d, _ in out) == completion.text == answer["text"]
        assert completion.finish_reason == "stop"
        return out

    asyncio.run(deltas({"text": "one two three four five six"}))
    slow = asyncio.run(deltas({"text": "one two three", "tokens_per_second": 5}))
    assert [d for d, _ in slow] == ["one ", "two ", "three"]
    assert slow[-1][1] - slow[0][1] >= 0.3  # two gaps of 0.2 s: not read all at the end


def test_streams_from_a_fake_that_closes_each_connection(groq: FakeGroq, settings: Any) -> None:
    """The benchmark's fake ends each stream by closing its connection (no chunked framing):
    answers read whole, and a connection dropped mid-answer is still a failure."""
    import asyncio

    closing = FakeGroq(keep_alive=False).start()
    try:
        settings.GROQ_BASE_URL = closing.url

        async def answer() -> str:
            completion = clients.Completion()
            stream = clients.groq_stream(messages=[{"role": "user", "content": "hi"}], tools=[], completion=completion)
            return "".join([d async for d in stream])

        closing.push({"text": "one two three"}, {"text": "one two three", "tokens_per_second": 20})
        assert asyncio.run(answer()) == asyncio.run(answer()) == "one two three"
        closing.push({"text": "one two three", "drop_after": 2})
        with pytest.raises(clients.ModelUnavailable):
            asyncio.run(answer())
    finally:
        closing.stop()
