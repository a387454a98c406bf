"""The assistant's HTTP API: ``POST /api/chat/stream`` (Server-Sent Events) and the
conversation list, on the flagship and every agent site.

The stream view is async: served by the ASGI service (gunicorn + uvicorn workers, see
platform/), a stream waiting on the model holds no thread. The visitor, the limit and the
saved messages are handled in short synchronous steps in the site's schema; the model's
answer and the tool calls are streamed as they come, and a visitor who disconnects cancels
the turn (the message is then not counted).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import orjson
from asgiref.sync import sync_to_async
from django.http import HttpRequest, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django_tenants.utils import schema_context
from ninja import Path, Router

from api.errors import COMMON, errors
from billing.decorators import denial_message, denial_status
from chat import services
from chat.api_schemas import (
    STREAM_OPENAPI,
    VISITOR_OPENAPI,
    ChatStreamIn,
    ConversationList,
    ConversationOut,
    Deleted,
    Renamed,
    TitleIn,
)
from chat.engine import Turn, run_turn
from chat.registry import ToolContext
from chat.selectors import chat_usage, conversation_list, conversation_messages, conversation_owned, usage_payload
from core.errors import json_error as error
from listings import selectors as listing_selectors
from security.client_ip import client_ip_bucket
from themes.branding import branding_for_request

logger = logging.getLogger(__name__)
# Cookie-identified visitors (signed in or not); no auth callback, so the stream never waits
# for the synchronous thread (see ``cross_site`` for the CSRF protection).
router = Router(tags=["assistant"], auth=None)


def _site(request: HttpRequest) -> tuple[str, str, bool]:
    """(site name, agent name, is flagship) of the requesting site."""
    branding = branding_for_request(request)
    return branding.site_name, branding.agent_name, branding.is_flagship


def _begin(request: HttpRequest, parsed: dict[str, Any]) -> tuple[ToolContext, services.TurnStart]:
    tenant = request.tenant  # type: ignore[attr-defined]
    with schema_context(tenant.schema_name):
        user = request.user if request.user.is_authenticated else None
        anonymous_id = getattr(request, "anonymous_id", "") or ""
        address = client_ip_bucket(request)
        start = services.chat_turn_begin(
            user=user,
            anonymous_id=anonymous_id,
            conversation_id=parsed["conversationId"],
            text=parsed["message"],
            client_address=address,
        )
        site_name, agent_name, flagship = _site(request)
    ctx = ToolContext(
        schema=tenant.schema_name,
        scope=listing_selectors.site_scope(tenant=tenant),
        site_name=site_name,
        agent_name=agent_name,
        is_flagship=flagship,
        user=user,
        anonymous_id=anonymous_id,
        client_address=address or "",
        shown_keys=list(start.shown),
        request=request,
    )
    ctx.transcript = lambda: start.transcript
    ctx.conversation_ensure = lambda: services.chat_conversation_ensure(
        user=user, anonymous_id=anonymous_id, start=start
    )
    return ctx, start


def _end(ctx: ToolContext, start: services.TurnStart, turn: Turn, *, failed: bool) -> dict[str, Any]:
    """Save the turn; the visitor's allowance for the ``done`` event. An answered turn reports
    what its spend left (``usage_consume`` read it in the same statement), without another
    read; a failed one, which gave its message back, reads it again."""
    with schema_context(ctx.schema):
        services.chat_turn_end(
            user=ctx.user,
            anonymous_id=ctx.anonymous_id,
            start=start,
            text=turn.text,
            tools=turn.tools,
            backend=turn.backend,
            failed=failed,
            client_address=ctx.client_address,
        )
        usage = start.entitlement
        if failed:
            usage = chat_usage(user=ctx.user, anonymous_id=ctx.anonymous_id, client_address=ctx.client_address)
        return usage_payload(usage, signed_in=ctx.signed_in)


def sse(event: str, data: dict[str, Any]) -> bytes:
    if event == "token":  # most events: orjson, no str() fallback needed for a text delta
        return b"event: token\ndata: " + orjson.dumps(data) + b"\n\n"
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'), default=str)}\n\n".encode()


async def _stream(ctx: ToolContext, start: services.TurnStart, parsed: dict[str, Any]) -> AsyncIterator[bytes]:
    turn = Turn()
    failed = True
    try:
        async for name, data in run_turn(
            ctx,
            parsed["message"],
            history=start.history,
            previous=start.previous,
            pending=start.pending,
            context=parsed["context"],
            turn=turn,
        ):
            yield sse(name, data)
        failed = False
    except (asyncio.CancelledError, GeneratorExit):
        # The visitor went away: Django cancels the response or closes this generator. The
        # model's stream is closed with it; the message is not counted.
        logger.info("chat: visitor disconnected (conversation %s)", start.conversation_id or "new")
        # Shielded, off the request's thread: the request is being torn down around us.
        await asyncio.shield(sync_to_async(_end, thread_sensitive=False)(ctx, start, turn, failed=True))
        raise
    except Exception:
        logger.exception("chat turn failed")
        yield sse("error", {"message": "Sorry, something went wrong on our side. Please try again."})
    usage = await sync_to_async(_end, thread_sensitive=False)(ctx, start, turn, failed=failed)
    yield sse("done", {"conversationId": start.conversation_id, "title": start.title, "usage": usage})


def _denied(request: HttpRequest, exc: services.ChatDenied) -> JsonResponse:
    ent = exc.entitlement
    if not request.user.is_authenticated:
        return error(
            429,
            "signup_required",
            f"You've used your {ent.limit} free messages. Sign up (it's free) to keep chatting.",
            signup_url=reverse("account_signup"),
            usage=usage_payload(ent, signed_in=False),
        )
    return error(
        denial_status(ent),
        "quota_exceeded",
        denial_message(ent),
        upgrade=True,
        upgrade_url="/billing/pricing/",
        usage=usage_payload(ent, signed_in=True),
    )


def cross_site(request: HttpRequest) -> JsonResponse | None:
    """The chat endpoints take JSON only, which a page on another site cannot send with the
    visitor's cookies without a CORS preflight we never grant; a browser's Origin, when
    sent, must be this site. That is the CSRF protection here (no token to fetch first, so
    the first message of a new visitor works)."""
    if request.method in ("GET", "HEAD"):
        return None
    if request.content_type != "application/json":
        return error(415, "unsupported_media_type", "Send JSON (Content-Type: application/json).")
    origin = request.headers.get("Origin")
    if origin and origin.split("://", 1)[-1] != request.get_host():
        return error(403, "cross_site", "Requests from other sites are not allowed.")
    return None


@router.post(
    "/chat/stream",
    response=errors(*COMMON, 404, 415),
    operation_id="chatStream",
    summary="Send a message to the assistant; the answer streams back as Server-Sent Events",
    openapi_extra=STREAM_OPENAPI,
)
async def chat_stream(request: HttpRequest, payload: ChatStreamIn) -> HttpResponseBase:
    refused = cross_site(request)
    if refused is not None:
        return refused
    parsed = payload.parsed()
    try:
        # The shared thread pool, not a thread per request: its threads keep their database
        # connections (CONN_MAX_AGE), where a new thread would open one per message.
        ctx, start = await sync_to_async(_begin, thread_sensitive=False)(request, parsed)
    except services.ConversationNotFound:
        return error(404, "not_found", "No such conversation.")
    except services.ChatDenied as e:
        return await sync_to_async(_denied)(request, e)
    response = StreamingHttpResponse(_stream(ctx, start, parsed), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache, no-transform"
    response["X-Accel-Buffering"] = "no"  # nginx: pass every event through at once
    return response


# ---- conversations (small JSON reads and writes) -----------------------------------------
def _same_origin(request: HttpRequest) -> JsonResponse | None:
    """DELETE has no body: browsers always preflight it cross-site, and send Origin."""
    origin = request.headers.get("Origin")
    if origin and origin.split("://", 1)[-1] != request.get_host():
        return error(403, "cross_site", "Requests from other sites are not allowed.")
    return None


def _visitor(request: HttpRequest) -> dict[str, Any]:
    return {"user": request.user, "anonymous_id": getattr(request, "anonymous_id", "") or ""}


@router.get(
    "/chat/conversations",
    response={200: ConversationList, **errors(*COMMON)},
    operation_id="chatConversations",
    summary="The visitor's conversations and what is left of their allowance",
    openapi_extra=VISITOR_OPENAPI,
)
def conversations(request: HttpRequest) -> dict[str, Any]:
    who = _visitor(request)
    usage = chat_usage(user=request.user, anonymous_id=who["anonymous_id"], client_address=client_ip_bucket(request))
    return {
        "results": conversation_list(**who),
        "usage": usage_payload(usage, signed_in=request.user.is_authenticated),
    }


@router.get(
    "/chat/conversations/{int:pk}",
    response={200: ConversationOut, **errors(*COMMON, 404)},
    operation_id="chatConversation",
    summary="One conversation of the visitor, with its messages",
    openapi_extra=VISITOR_OPENAPI,
)
def conversation(request: HttpRequest, pk: int = Path(..., ge=1)) -> Any:
    found = conversation_owned(pk=pk, **_visitor(request))
    if found is None:
        return error(404, "not_found", "No such conversation.")
    return {"id": found.pk, "title": found.title, "messages": conversation_messages(conversation=found)}


@router.api_operation(
    ["PATCH", "POST"],
    "/chat/conversations/{int:pk}",
    response={200: Renamed, **errors(*COMMON, 404, 415)},
    operation_id="chatConversationRename",
    summary="Rename a conversation",
    openapi_extra=VISITOR_OPENAPI,
)
def conversation_rename(request: HttpRequest, payload: TitleIn, pk: int = Path(..., ge=1)) -> Any:
    refused = cross_site(request)
    if refused is not None:
        return refused
    try:
        c = services.conversation_rename(pk=pk, title=payload.title, **_visitor(request))
    except services.ConversationNotFound:
        return error(404, "not_found", "No such conversation.")
    return {"id": c.pk, "title": c.title}


@router.delete(
    "/chat/conversations/{int:pk}",
    response={200: Deleted, **errors(*COMMON, 404)},
    operation_id="chatConversationDelete",
    summary="Delete a conversation",
    openapi_extra=VISITOR_OPENAPI,
)
def conversation_delete(request: HttpRequest, pk: int = Path(..., ge=1)) -> Any:
    refused = _same_origin(request)
    if refused is not None:
        return refused
    try:
        services.conversation_delete(pk=pk, **_visitor(request))
    except services.ConversationNotFound:
        return error(404, "not_found", "No such conversation.")
    return {"deleted": True}
