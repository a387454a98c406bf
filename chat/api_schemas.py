"""Request and response bodies of the assistant's API, as declared in the OpenAPI document."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from ninja import Schema
from pydantic import ConfigDict, Field, StrictInt, field_validator


class UserLocation(Schema):
    model_config = ConfigDict(extra="forbid")
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class ChatContext(Schema):
    """What the visitor is looking at (the page the panel is on)."""

    model_config = ConfigDict(extra="forbid")
    listingKey: str | None = Field(None, max_length=64)
    searchQuery: str | None = Field(None, max_length=500)


class ChatStreamIn(Schema):
    model_config = ConfigDict(extra="forbid")
    message: str = Field(description="The visitor's message (CHAT_MAX_MESSAGE_CHARS at most).")
    conversationId: StrictInt | None = Field(None, gt=0, lt=2**31, description="Continue this conversation.")
    context: ChatContext | None = None
    userLocation: UserLocation | None = Field(None, description="Where the visitor is, in degrees.")

    @field_validator("message")
    @classmethod
    def _message(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("required: the visitor's message")
        if len(value) > settings.CHAT_MAX_MESSAGE_CHARS:
            raise ValueError(f"must be at most {settings.CHAT_MAX_MESSAGE_CHARS} characters")
        return value

    def parsed(self) -> dict[str, Any]:
        context = self.context.model_dump(exclude_none=True) if self.context else {}
        return {
            "message": self.message.strip(),
            "conversationId": self.conversationId,
            "context": context,
            "userLocation": self.userLocation.model_dump() if self.userLocation else None,
        }


class TitleIn(Schema):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=200, pattern=r"\S")


class Usage(Schema):
    used: int
    limit: int | None
    remaining: int | None
    plan: str
    signedIn: bool


class ConversationSummary(Schema):
    id: int
    title: str
    updatedAt: str


class ConversationList(Schema):
    results: list[ConversationSummary]
    usage: Usage


class ConversationOut(Schema):
    id: int
    title: str
    messages: list[dict[str, Any]] = Field(description="Text messages ({role, text}) and tool results.")


class Renamed(Schema):
    id: int
    title: str


class Deleted(Schema):
    deleted: bool


# The visitor is known by the site's cookies (the session, or the anonymous-visitor cookie).
VISITOR_OPENAPI: dict[str, Any] = {"security": [{"SessionCookieAuth": []}, {}]}
STREAM_OPENAPI: dict[str, Any] = {
    **VISITOR_OPENAPI,
    "description": "Events: `token` (text), `tool_call`, `tool_result` (cards, map link), `error`, and last "
    "`done` ({conversationId, title, usage}). A visitor who disconnects cancels the turn (not counted). "
    "Requests from other sites are refused (Origin), and only JSON is taken.",
    "responses": {
        "200": {
            "description": "Server-Sent Events",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        }
    },
}
