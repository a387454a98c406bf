"""The chat page; included at the root of every site's URLconf."""

from django.urls import path

from chat import views

app_name = "chat"

urlpatterns = [
    path("chat/", views.chat_page, name="page"),
    path("chat/<int:pk>/", views.chat_page, name="conversation"),
]
