"""Writes for the assistant: a turn's start (usage spent atomically, the visitor's message
saved) and end (the answer and tool messages saved; usage given back if the turn failed),
renaming and deleting conversations. All in the current site's schema."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from billing.plans import Feature
from billing.selectors import Entitlement
from billing.services import usage_consume, usage_release
from chat.models import Conversation, Message
from chat.selectors import conversation_owned, turn_state

TITLE_CHARS = 80


class ChatDenied(Exception):
    """The visitor's allowance is used up (anonymous: sign up; signed in: upgrade)."""

    def __init__(self, entitlement: Entitlement) -> None:
        super().__init__("limit reached")
        self.entitlement = entitlement


class ConversationNotFound(Exception):
    pass


@dataclass(frozen=True)
class TurnStart:
    conversation_id: int
    title: str
    history: list[dict[str, Any]]  # earlier user/assistant messages, for the model
    previous: dict[str, Any] | None  # the last search's arguments, for follow-ups
    shown: list[str]  # listing keys shown last
    transcript: str
    entitlement: Entitlement
    pending: dict[str, Any] | None = None  # a request waiting for the visitor's email


def chat_turn_begin(
    *, user: Any, anonymous_id: str, conversation_id: int | None, text: str, client_address: str | None = None
) -> TurnStart:
    """Spend one message (atomically: two messages at the limit never both pass), then save
    the visitor's message in their conversation (a new one without ``conversation_id``). A
    visitor without an account spends from their client address's allowance too."""
    with transaction.atomic():
        conversation = None
        if conversation_id is not None:
            conversation = conversation_owned(user=user, anonymous_id=anonymous_id, pk=conversation_id)
            if conversation is None:
                raise ConversationNotFound(conversation_id)
        ent = usage_consume(
            user=user, feature=Feature.CHAT_MESSAGES, visitor_id=anonymous_id, client_address=client_address
        )
        if not ent.allowed:
            raise ChatDenied(ent)
        signed_in = user is not None and user.is_authenticated
        if conversation is None:
            conversation = Conversation.objects.create(
                user=user if signed_in else None,
                anonymous_id="" if signed_in else anonymous_id,
                title=" ".join(text.split())[:TITLE_CHARS],
            )
        state = turn_state(conversation=conversation)
        Message.objects.create(conversation=conversation, role=Message.Role.USER, content=text)
    return TurnStart(
        conversation_id=conversation.pk,
        title=conversation.title,
        history=state.history,
        previous=state.previous,
        shown=state.shown,
        transcript=state.transcript + f"\nVisitor: {text}",
        entitlement=ent,
        pending=state.pending,
    )


def chat_turn_end(
    *,
    user: Any,
    anonymous_id: str,
    conversation_id: int,
    text: str,
    tools: list[Any],
    backend: str,
    failed: bool,
    client_address: str | None = None,
) -> None:
    """Save what the assistant said and did; a failed turn gives its message back."""
    with transaction.atomic():
        for result in tools:
            Message.objects.create(
                conversation_id=conversation_id,
                role=Message.Role.TOOL,
                content=result.for_model()[:20_000],
                data={"name": result.name, "arguments": result.arguments, "ok": result.ok, "display": result.display},
            )
        if text:
            Message.objects.create(
                conversation_id=conversation_id,
                role=Message.Role.ASSISTANT,
                content=text,
                data={"backend": backend, "failed": failed},
            )
        Conversation.objects.filter(pk=conversation_id).update(updated_at=timezone.now())
        if failed:
            usage_release(
                user=user, feature=Feature.CHAT_MESSAGES, visitor_id=anonymous_id, client_address=client_address
            )


def conversation_rename(*, user: Any, anonymous_id: str, pk: int, title: str) -> Conversation:
    conversation = conversation_owned(user=user, anonymous_id=anonymous_id, pk=pk)
    if conversation is None:
        raise ConversationNotFound(pk)
    conversation.title = " ".join(title.split())[:TITLE_CHARS]
    conversation.save(update_fields=["title", "updated_at"])
    return conversation


def conversation_delete(*, user: Any, anonymous_id: str, pk: int) -> None:
    conversation = conversation_owned(user=user, anonymous_id=anonymous_id, pk=pk)
    if conversation is None:
        raise ConversationNotFound(pk)
    conversation.delete()
