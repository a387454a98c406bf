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
from chat.selectors import NEW_CONVERSATION, conversation_owned, turn_state

TITLE_CHARS = 80


class ChatDenied(Exception):
    """The visitor's allowance is used up (anonymous: sign up; signed in: upgrade)."""

    def __init__(self, entitlement: Entitlement) -> None:
        super().__init__("limit reached")
        self.entitlement = entitlement


class ConversationNotFound(Exception):
    pass


@dataclass
class TurnStart:
    """What a turn starts from. ``conversation_id`` is None for a new conversation until it is
    saved: with the answer (``chat_turn_end``), or earlier when a tool needs its id
    (``chat_conversation_ensure``)."""

    conversation_id: int | None
    title: str
    text: str  # the visitor's message, saved with the answer
    history: list[dict[str, Any]]  # earlier user/assistant messages, for the model
    previous: dict[str, Any] | None  # the last search's arguments, for follow-ups
    shown: list[str]  # listing keys shown last
    transcript: str
    entitlement: Entitlement
    pending: dict[str, Any] | None = None  # a request waiting for the visitor's email


def chat_turn_begin(
    *, user: Any, anonymous_id: str, conversation_id: int | None, text: str, client_address: str | None = None
) -> TurnStart:
    """Spend one message (atomically: two messages at the limit never both pass) and read
    what the turn needs from an existing conversation. Nothing else is written before the
    answer starts: the conversation and the visitor's message are saved with the answer
    (``chat_turn_end``), off the path to the first token. A visitor without an account spends
    from their client address's allowance too."""
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
    state = turn_state(conversation=conversation) if conversation is not None else NEW_CONVERSATION
    return TurnStart(
        conversation_id=conversation.pk if conversation is not None else None,
        title=conversation.title if conversation is not None else " ".join(text.split())[:TITLE_CHARS],
        text=text,
        history=state.history,
        previous=state.previous,
        shown=state.shown,
        transcript=(state.transcript + f"\nVisitor: {text}").lstrip("\n"),
        entitlement=ent,
        pending=state.pending,
    )


def chat_conversation_ensure(*, user: Any, anonymous_id: str, start: TurnStart) -> int:
    """The turn's conversation id, saving a new conversation now (a tool records it)."""
    if start.conversation_id is None:
        signed_in = user is not None and user.is_authenticated
        start.conversation_id = Conversation.objects.create(
            user=user if signed_in else None, anonymous_id="" if signed_in else anonymous_id, title=start.title
        ).pk
    return start.conversation_id


def chat_turn_end(
    *,
    user: Any,
    anonymous_id: str,
    start: TurnStart,
    text: str,
    tools: list[Any],
    backend: str,
    failed: bool,
    client_address: str | None = None,
) -> int | None:
    """Save the visitor's message with what the assistant said and did, in one transaction
    (the conversation too when new); a failed turn gives its message back. Returns the
    conversation id (None when the visitor deleted it meanwhile: nothing is saved then)."""
    with transaction.atomic():
        existing = start.conversation_id is not None
        saved = chat_conversation_ensure(user=user, anonymous_id=anonymous_id, start=start)
        gone = existing and not Conversation.objects.filter(pk=saved).update(updated_at=timezone.now())
        conversation_id = None if gone else saved
        if conversation_id is not None:
            Message.objects.bulk_create(_messages(conversation_id, start.text, text, tools, backend, failed))
        if failed:
            usage_release(
                user=user, feature=Feature.CHAT_MESSAGES, visitor_id=anonymous_id, client_address=client_address
            )
    return conversation_id


def _messages(
    conversation_id: int, asked: str, answer: str, tools: list[Any], backend: str, failed: bool
) -> list[Message]:
    out = [Message(conversation_id=conversation_id, role=Message.Role.USER, content=asked)]
    for result in tools:
        data = {"name": result.name, "arguments": result.arguments, "ok": result.ok, "display": result.display}
        out.append(
            Message(
                conversation_id=conversation_id,
                role=Message.Role.TOOL,
                content=result.for_model()[:20_000],
                data=data,
            )
        )
    if answer:
        data = {"backend": backend, "failed": failed}
        out.append(Message(conversation_id=conversation_id, role=Message.Role.ASSISTANT, content=answer, data=data))
    return out


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
