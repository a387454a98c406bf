"""The assistant's API; included by the site URLconfs at ``api/chat/`` (nginx sends that
prefix to the ASGI service)."""

from django.urls import path

from chat import api

app_name = "chat_api"

urlpatterns = [
    path("stream", api.chat_stream, name="stream"),
    path("conversations", api.conversations, name="conversations"),
    path("conversations/<int:pk>", api.conversation, name="conversation"),
]
