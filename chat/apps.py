from django.apps import AppConfig


class ChatConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "chat"
    verbose_name = "AI assistant"

    def ready(self) -> None:
        from accounts.activity import register_anonymous_activity
        from chat.models import Conversation

        register_anonymous_activity("conversations", model=Conversation)
