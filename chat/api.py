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
import math
from collections.abc import AsyncIterator
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import HttpRequest, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django_tenants.utils import schema_context

from billing.decorators import denial_message, denial_status
from chat import services
from chat.engine import Turn, run_turn
from chat.registry import ToolContext
from chat.selectors import chat_usage, conversation_list, conversation_messages, conversation_owned, usage_payload
from core.errors import json_error as error
from listings import selectors as listing_selectors
from security.client_ip import client_ip_bucket
from themes.branding import branding_for_request

logger = logging.getLogger(__name__)
_CONTEXT_FIELDS = {"listingKey": 64, "searchQuery": 500}


class BadRequest(Exception):
    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("bad request")
        self.fields = fields


def _body(request: HttpRequest) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        raise BadRequest({"body": "must be a JSON object"}) from None
    if not isinstance(body, dict):
        raise BadRequest({"body": "must be a JSON object"})
    return body


def parse_stream_request(body: dict[str, Any]) -> dict[str, Any]:
    """``{message, conversationId?, context?: {listingKey?, searchQuery?}, userLocation?}``."""
    errors: dict[str, str] = {}
    for key in body:
        if key not in ("message", "conversationId", "context", "userLocation"):
            errors[str(key)[:60]] = "unknown field"
    message = body.get("message")
    if not isinstance(message, str) or not message.strip():
        errors["message"] = "required: the visitor's message"
    elif len(message) > settings.CHAT_MAX_MESSAGE_CHARS:
        errors["message"] = f"must be at most {settings.CHAT_MAX_MESSAGE_CHARS} characters"
    conversation_id = body.get("conversationId")
    if conversation_id is not None and (
        isinstance(conversation_id, bool) or not isinstance(conversation_id, int) or not 0 < conversation_id < 2**31
    ):
        errors["conversationId"] = "must be a conversation id"
    context = body.get("context") or {}
    if not isinstance(context, dict):
        errors["context"] = "must be an object"
        context = {}
    for key, value in context.items():
        limit = _CONTEXT_FIELDS.get(key)
        if limit is None:
            errors[f"context.{str(key)[:60]}"] = "unknown field"
        elif not isinstance(value, str) or len(value) > limit:
            errors[f"context.{key}"] = f"must be text of at most {limit} characters"
    location = body.get("userLocation")
    if location is not None:
        ok = isinstance(location, dict) and set(location) <= {"lat", "lon"}
        ok = ok and all(
            isinstance(location.get(k), int | float) and not isinstance(location.get(k), bool) for k in ("lat", "lon")
        )
        if not ok or not (
            math.isfinite(location["lat"]) and -90 <= location["lat"] <= 90 and -180 <= location["lon"] <= 180
        ):
            errors["userLocation"] = "must be {lat, lon} in degrees"
    if errors:
        raise BadRequest(errors)
    return {
        "message": str(message).strip(),
        "conversationId": conversation_id,
        "context": context,
        "userLocation": location,
    }


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
        conversation_id=start.conversation_id,
        shown_keys=list(start.shown),
        request=request,
    )
    ctx.transcript = lambda: start.transcript
    return ctx, start


def _end(ctx: ToolContext, start: services.TurnStart, turn: Turn, *, failed: bool) -> dict[str, Any]:
    with schema_context(ctx.schema):
        services.chat_turn_end(
            user=ctx.user,
            anonymous_id=ctx.anonymous_id,
            conversation_id=start.conversation_id,
            text=turn.text,
            tools=turn.tools,
            backend=turn.backend,
            failed=failed,
            client_address=ctx.client_address,
        )
        usage = chat_usage(user=ctx.user, anonymous_id=ctx.anonymous_id, client_address=ctx.client_address)
        return usage_payload(usage, signed_in=ctx.signed_in)


def sse(event: str, data: dict[str, Any]) -> bytes:
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
            context=parsed["context"],
            turn=turn,
        ):
            yield sse(name, data)
        failed = False
    except (asyncio.CancelledError, GeneratorExit):
        # The visitor went away: Django cancels the response or closes this generator. The
        # model's stream is closed with it; the message is not counted.
        logger.info("chat: visitor disconnected from conversation %s", start.conversation_id)
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


@csrf_exempt
async def chat_stream(request: HttpRequest) -> HttpResponseBase:
    if request.method != "POST":
        return error(405, "method_not_allowed", "Use POST.")
    refused = cross_site(request)
    if refused is not None:
        return refused
    try:
        parsed = parse_stream_request(_body(request))
        # The shared thread pool, not a thread per request: its threads keep their database
        # connections (CONN_MAX_AGE), where a new thread would open one per message.
        ctx, start = await sync_to_async(_begin, thread_sensitive=False)(request, parsed)
    except BadRequest as e:
        return error(
            400, "invalid_parameters", "Some fields are invalid: " + ", ".join(sorted(e.fields)) + ".", e.fields
        )
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


@require_http_methods(["GET"])
def conversations(request: HttpRequest) -> JsonResponse:
    who = _visitor(request)
    usage = chat_usage(user=request.user, anonymous_id=who["anonymous_id"], client_address=client_ip_bucket(request))
    return JsonResponse(
        {
            "results": conversation_list(**who),
            "usage": usage_payload(usage, signed_in=request.user.is_authenticated),
        }
    )


@csrf_exempt
@require_http_methods(["GET", "PATCH", "POST", "DELETE"])
def conversation(request: HttpRequest, pk: int) -> JsonResponse:
    refused = cross_site(request) if request.method != "DELETE" else _same_origin(request)
    if refused is not None:
        return refused
    who = _visitor(request)
    try:
        if request.method == "DELETE":
            services.conversation_delete(pk=pk, **who)
            return JsonResponse({"deleted": True})
        if request.method in ("PATCH", "POST"):
            body = _body(request)
            title = body.get("title")
            if set(body) != {"title"} or not isinstance(title, str) or not title.strip() or len(title) > 200:
                raise BadRequest({"title": "required: text of at most 200 characters"})
            c = services.conversation_rename(pk=pk, title=title, **who)
            return JsonResponse({"id": c.pk, "title": c.title})
    except BadRequest as e:
        return error(400, "invalid_parameters", "Some fields are invalid: title.", e.fields)
    except services.ConversationNotFound:
        return error(404, "not_found", "No such conversation.")
    found = conversation_owned(pk=pk, **who)
    if found is None:
        return error(404, "not_found", "No such conversation.")
    return JsonResponse({"id": found.pk, "title": found.title, "messages": conversation_messages(conversation=found)})
