"""Limits under concurrency, against committed data and real connections (one per request
thread), and the anonymous visitor's conversations moving to the account on sign-up.

Outside pytest-django's per-test transaction (concurrent requests could not see its rows);
each test removes what it wrote instead of flushing, which would drop the session's sites."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django_tenants.utils import schema_context

from billing.models import UsageCounter
from chat.models import Conversation
from chat.tests.support import Visitor, asgi_request
from conftest import in_own_thread

CONCURRENT = 50


@pytest.fixture
def sarah(django_db_setup: None, django_db_blocker: Any) -> Any:
    """The sarah site, read outside any test transaction."""
    from tenants.models import Tenant

    with django_db_blocker.unblock():
        return in_own_thread(lambda: Tenant.objects.get(slug="sarah"))


@pytest.fixture
def committed(django_db_setup: None, django_db_blocker: Any, settings: Any) -> Iterator[list[str]]:
    """Anonymous ids used by the test; their rows are deleted afterwards, in every site."""
    settings.LLM_BACKEND = "offline"
    settings.LISTINGS_READMODEL_REFRESH = False
    settings.CHAT_RATE_PER_MINUTE = 1000  # the plan's allowance is under test, not bursts
    ids: list[str] = []
    with django_db_blocker.unblock():
        yield ids

        def cleanup() -> None:
            from tenants.models import Tenant

            for schema in Tenant.objects.values_list("schema_name", flat=True):
                with schema_context(schema):
                    Conversation.objects.filter(anonymous_id__in=ids).delete()
                    UsageCounter.objects.filter(subject__in=[f"a:{i}" for i in ids]).delete()
                    UsageCounter.objects.filter(subject__startswith="ip:").delete()

        in_own_thread(cleanup)


def _anonymous_id(site: Any, events: list[Any]) -> str:
    def read() -> str:
        with schema_context(site.schema_name):
            return Conversation.objects.get(pk=events[-1][1]["conversationId"]).anonymous_id

    return str(in_own_thread(read))


def _used(site: Any, anonymous_id: str) -> int:
    def read() -> int:
        with schema_context(site.schema_name):
            return UsageCounter.objects.get(subject=f"a:{anonymous_id}").used

    return int(in_own_thread(read))


def test_concurrent_messages_at_the_limit_never_all_pass(store: Any, committed: list[str], sarah: Any) -> None:
    visitor = Visitor(sarah.get_primary_domain().domain)
    status, events = in_own_thread(lambda: visitor.chat({"message": "homes in palm springs"}))
    assert status == 200
    committed.append(_anonymous_id(sarah, events))

    async def burst() -> list[int]:
        calls = [
            asgi_request("POST", visitor.host, "/api/chat/stream", {"message": "condos"}, cookies=visitor.header())
            for _ in range(CONCURRENT)
        ]
        return [status for status, _, _ in await asyncio.gather(*calls)]

    statuses = in_own_thread(lambda: async_to_sync(burst)())
    assert statuses.count(200) == 2  # 3 allowed, 1 used before the burst
    assert statuses.count(429) == CONCURRENT - 2
    assert _used(sarah, committed[0]) == 3


def test_a_visitor_who_disconnects_stops_the_turn_and_is_not_counted(
    store: Any, committed: list[str], sarah: Any, settings: Any
) -> None:
    """The model answers slowly; the visitor leaves after the first token: the model's stream
    is closed, nothing more is produced, and the message is given back."""
    from chat import clients
    from devtools.groq.server import FakeGroq

    fake = FakeGroq().start()
    try:
        settings.LLM_BACKEND, settings.GROQ_API_KEY, settings.GROQ_BASE_URL = "groq", "gsk_test", fake.url
        clients._breaker = None
        visitor = Visitor(sarah.get_primary_domain().domain)
        status, events = in_own_thread(lambda: visitor.chat({"message": "hello"}))
        committed.append(_anonymous_id(sarah, events))
        words = " ".join(f"word{i}" for i in range(40))
        fake.push({"text": words, "tokens_per_second": 10})
        started = time.monotonic()
        status, events = in_own_thread(lambda: visitor.chat({"message": "tell me more"}, disconnect_after=2))
        assert time.monotonic() - started < 3  # not the 4 s the whole answer takes
        assert status == 200 and events[-1][0] == "token"
        time.sleep(0.5)
        assert _used(sarah, committed[0]) == 1
    finally:
        fake.stop()


def test_bursts_from_one_address_are_rate_limited(committed: list[str], sarah: Any, settings: Any) -> None:
    settings.CHAT_RATE_PER_MINUTE = 3
    host = sarah.get_primary_domain().domain
    statuses = [
        in_own_thread(lambda: Visitor(host, client="203.0.113.60").chat({"message": "x" * 3000}))[0] for _ in range(4)
    ]
    assert statuses == [400, 400, 400, 429]  # cookie-less: counted by address before validation


def test_cookie_less_visitors_get_no_fresh_allowance(
    store: Any, committed: list[str], sarah: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A client that never keeps its cookie is a new anonymous visitor on every message; its
    address's allowance (here one visitor's: 3 messages) still runs out. Another address
    keeps its own."""
    monkeypatch.setattr("billing.selectors.VISITORS_PER_ADDRESS", 1)
    host = sarah.get_primary_domain().domain
    statuses, left = [], []
    for _ in range(4):
        status, events = in_own_thread(lambda: Visitor(host, client="203.0.113.77").chat({"message": "homes in indio"}))
        statuses.append(status)
        if status == 200:
            committed.append(_anonymous_id(sarah, events))
            left.append(events[-1][1]["usage"]["remaining"])
    assert statuses == [200, 200, 200, 429]
    # Each answer's usage counts the address's allowance, not the fresh visitor's own.
    assert left == [2, 1, 0]
    status, events = in_own_thread(lambda: Visitor(host, client="203.0.113.78").chat({"message": "homes in indio"}))
    assert status == 200
    committed.append(_anonymous_id(sarah, events))
