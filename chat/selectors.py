"""Reads for the assistant, in the current site's schema: a visitor's conversations (a
signed-in user's, or an anonymous visitor's by their signed id, never both), a conversation's
messages and what the next turn needs from them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from billing.plans import Feature
from billing.selectors import Entitlement, entitlement_check
from chat.models import Conversation, Message

HISTORY_MESSAGES = 20


def conversations_of(*, user: Any, anonymous_id: str) -> QuerySet[Conversation]:
    if user is not None and user.is_authenticated:
        return Conversation.objects.filter(user=user)
    if not anonymous_id:
        return Conversation.objects.none()
    return Conversation.objects.filter(user__isnull=True, anonymous_id=anonymous_id)


def conversation_owned(*, user: Any, anonymous_id: str, pk: int) -> Conversation | None:
    return conversations_of(user=user, anonymous_id=anonymous_id).filter(pk=pk).first()


def conversation_list(*, user: Any, anonymous_id: str, limit: int = 50) -> list[dict[str, Any]]:
    rows = conversations_of(user=user, anonymous_id=anonymous_id).values("id", "title", "updated_at")[:limit]
    return [{"id": r["id"], "title": r["title"], "updatedAt": r["updated_at"].isoformat()} for r in rows]


def conversation_messages(*, conversation: Conversation) -> list[dict[str, Any]]:
    """Messages as the page shows them: text, and tool results as their display payload."""
    out = []
    for m in conversation.messages.all():
        if m.role == Message.Role.TOOL:
            out.append(
                {"role": "tool", "name": m.data.get("name"), "ok": m.data.get("ok"), **m.data.get("display", {})}
            )
        else:
            out.append({"role": m.role, "text": m.content})
    return out


@dataclass(frozen=True)
class TurnState:
    history: list[dict[str, Any]]
    previous: dict[str, Any] | None
    shown: list[str]
    transcript: str
    # The request the last answer asked the visitor's contact for: {"name", "arguments"}.
    pending: dict[str, Any] | None = None


NEW_CONVERSATION = TurnState(history=[], previous=None, shown=[], transcript="")
_CONTACT_TOOLS = ("request_provider", "request_showing")


def _pending(messages: list[Message]) -> dict[str, Any] | None:
    """The last turn's request refused for want of the visitor's email, if it was."""
    for m in reversed(messages):
        if m.role == Message.Role.USER:
            return None
        if m.role == Message.Role.TOOL:
            data = m.data or {}
            refused = data.get("name") in _CONTACT_TOOLS and not data.get("ok")
            if refused and (data.get("display") or {}).get("error") == "contact_required":
                return {"name": data["name"], "arguments": data.get("arguments") or {}}
            return None
    return None


def turn_state(*, conversation: Conversation) -> TurnState:
    messages = list(conversation.messages.order_by("-created_at", "-pk")[: HISTORY_MESSAGES * 2])[::-1]
    history = [
        {"role": m.role, "content": m.content}
        for m in messages
        if m.role in (Message.Role.USER, Message.Role.ASSISTANT) and m.content
    ][-HISTORY_MESSAGES:]
    previous, shown = None, []
    for m in reversed(messages):
        if m.role != Message.Role.TOOL or not m.data.get("ok"):
            continue
        cards = m.data.get("display", {}).get("cards") or []
        if not shown and cards:
            shown = [c["key"] for c in cards]
        if previous is None and m.data.get("name") == "search_listings":
            previous = m.data.get("arguments") or {}
        if previous is not None and shown:
            break
    transcript = "\n".join(
        f"{'Visitor' if m.role == Message.Role.USER else 'Assistant'}: {m.content}"
        for m in messages
        if m.role != Message.Role.TOOL
    )
    return TurnState(history=history, previous=previous, shown=shown, transcript=transcript, pending=_pending(messages))


def chat_usage(*, user: Any, anonymous_id: str, client_address: str | None = None) -> Entitlement:
    return entitlement_check(
        user=user, feature=Feature.CHAT_MESSAGES, visitor_id=anonymous_id, client_address=client_address
    )


def usage_payload(ent: Entitlement, *, signed_in: bool) -> dict[str, Any]:
    return {
        "used": ent.used,
        "limit": ent.limit,
        "remaining": ent.remaining,
        "plan": ent.plan,
        "signedIn": signed_in,
    }
