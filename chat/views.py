"""The full chat page: the visitor's conversations on this site and one open conversation."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from chat.selectors import chat_usage, conversation_list, conversation_messages, conversation_owned
from security.client_ip import client_ip_bucket


def chat_page(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    anonymous_id = getattr(request, "anonymous_id", "") or ""
    current = None
    messages: list[dict[str, object]] = []
    if pk is not None:
        current = conversation_owned(user=request.user, anonymous_id=anonymous_id, pk=pk)
        if current is None:
            raise Http404("No such conversation")
        messages = conversation_messages(conversation=current)
    return render(
        request,
        "chat/page.html",
        {
            "conversations": conversation_list(user=request.user, anonymous_id=anonymous_id),
            "current": current,
            "messages": messages,
            "usage": chat_usage(user=request.user, anonymous_id=anonymous_id, client_address=client_ip_bucket(request)),
        },
    )
