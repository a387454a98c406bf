"""One assistant turn as a stream of events: the model (Groq or offline) → tool calls →
results fed back (a bounded loop) → the answer.

Events: ``token`` {text}, ``tool_call`` {id, name, arguments}, ``tool_result`` {id, name, ok,
...display}. The view adds ``done`` and ``error``. Groq failing before or during the answer
switches the rest of the turn to the offline assistant, which uses the same tools.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django_tenants.utils import schema_context

from chat import offline
from chat.clients import Completion, ModelUnavailable, groq_configured, groq_stream
from chat.registry import ToolContext, ToolResult, tool_get, tool_run, tools_for

Event = tuple[str, dict[str, Any]]
_WORDS = re.compile(r"\S+\s*")


@dataclass
class Turn:
    """What the turn produced, for saving: the answer and every tool call with its result."""

    text: str = ""
    tools: list[ToolResult] = field(default_factory=list)
    backend: str = "offline"
    search_args: dict[str, Any] | None = None


async def run_tool(ctx: ToolContext, name: str, raw: Any) -> ToolResult:
    """Run a tool off the event loop: reads in the thread pool, writes in the request's
    thread, in the site's schema either way."""
    tool = tool_get(name)

    def call() -> ToolResult:
        with schema_context(ctx.schema):
            return tool_run(name, raw, ctx)

    def ensure() -> None:
        with schema_context(ctx.schema):
            ctx.conversation_ensure()

    if tool is not None and tool.writes:
        # A tool that writes may record the conversation (a showing's lead): a new one is saved
        # first, committed through the pool's connection that saves the answer later.
        await sync_to_async(ensure, thread_sensitive=False)()
    return await sync_to_async(call, thread_sensitive=bool(tool and tool.writes))()


def _tool_events(call_id: str, result: ToolResult) -> list[Event]:
    return [
        ("tool_call", {"id": call_id, "name": result.name, "arguments": result.arguments}),
        ("tool_result", {"id": call_id, "name": result.name, "ok": result.ok, **result.display}),
    ]


def _tokens(text: str) -> list[Event]:
    return [("token", {"text": w}) for w in _WORDS.findall(text)]


async def offline_turn(
    ctx: ToolContext,
    text: str,
    *,
    previous: dict[str, Any] | None,
    context: dict[str, Any],
    turn: Turn,
    pending: dict[str, Any] | None = None,
) -> AsyncIterator[Event]:
    plan = offline.plan_message(text, previous=previous, context=context, shown=list(ctx.shown_keys), pending=pending)
    if plan.help:
        reply = offline.help_text(site=ctx.site_name, agent=ctx.agent_name)
        turn.text += reply
        for ev in _tokens(reply):
            yield ev
        return
    for i, (name, args) in enumerate(plan.calls):
        result = await run_tool(ctx, name, args)
        turn.tools.append(result)
        if name == "search_listings" and result.ok:
            turn.search_args = result.arguments
        reply = offline.answer(name, result.arguments, result.ok, result.content, agent=ctx.agent_name)
        turn.text += reply
        for ev in _tokens(reply):
            yield ev
        for ev in _tool_events(f"offline-{i}", result):
            yield ev


def system_prompt(ctx: ToolContext, context: dict[str, Any]) -> str:
    sources = ", ".join(ctx.scope.mls_sources) if ctx.scope.mls_sources else "every MLS on the network"
    lines = [
        f"You are the home-search assistant of {ctx.site_name}"
        + (f", the site of real-estate agent {ctx.agent_name}" if ctx.agent_name else "")
        + f". You can only see listings from {sources}, through your tools.",
        "Answer briefly and concretely. Use search_listings for any question about homes for sale or "
        "rent; never invent listings, prices or addresses. Prices are USD; rent is monthly.",
        "Omit propertyType for homes for sale; 'house' means propertySubType SingleFamilyResidence.",
        "To book a showing you need the visitor's name and email; to save a search they must be signed in.",
    ]
    if context.get("listingKey"):
        lines.append(f"The visitor is looking at listing {context['listingKey']}; use get_listing for it.")
    if context.get("searchQuery"):
        lines.append(f"The visitor's current search filters: {context['searchQuery'][:300]}.")
    return "\n".join(lines)


async def groq_turn(
    ctx: ToolContext, text: str, *, history: list[dict[str, Any]], context: dict[str, Any], turn: Turn
) -> AsyncIterator[Event]:
    specs = [t.spec() for t in tools_for(ctx)]
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": system_prompt(ctx, context)},
        *history,
        {"role": "user", "content": text},
    ]
    turn.backend = "groq"
    for step in range(settings.CHAT_MAX_STEPS):
        completion = Completion()
        last = step == settings.CHAT_MAX_STEPS - 1
        async for delta in groq_stream(messages=messages, tools=[] if last else specs, completion=completion):
            turn.text += delta
            yield "token", {"text": delta}
        calls = completion.tool_calls[: settings.CHAT_MAX_TOOL_CALLS]
        if not calls:
            return
        messages.append(
            {
                "role": "assistant",
                "content": completion.text or None,
                "tool_calls": [
                    {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
                    for c in calls
                ],
            }
        )
        for c in calls:
            result = await run_tool(ctx, c.name, c.arguments)
            turn.tools.append(result)
            if c.name == "search_listings" and result.ok:
                turn.search_args = result.arguments
            for ev in _tool_events(c.id, result):
                yield ev
            messages.append({"role": "tool", "tool_call_id": c.id, "content": result.for_model()})


async def run_turn(
    ctx: ToolContext,
    text: str,
    *,
    history: list[dict[str, Any]],
    previous: dict[str, Any] | None,
    context: dict[str, Any],
    turn: Turn,
    pending: dict[str, Any] | None = None,
) -> AsyncIterator[Event]:
    if groq_configured():
        try:
            async for ev in groq_turn(ctx, text, history=history, context=context, turn=turn):
                yield ev
            return
        except ModelUnavailable:
            turn.backend = "offline-fallback"
            if turn.text:
                turn.text += "\n\n"
                yield "token", {"text": "\n\n"}
    async for ev in offline_turn(ctx, text, previous=previous, context=context, turn=turn, pending=pending):
        yield ev
