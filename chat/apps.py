from django.apps import AppConfig


class ChatConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "chat"
    verbose_name = "AI assistant"

    def ready(self) -> None:
        from accounts.activity import register_anonymous_activity
        from chat.models import Conversation

        register_anonymous_activity("conversations", model=Conversation)
        # The tools register themselves in the registry when their modules load.
        import chat.tools
        import chat.tools_cma
        import chat.tools_providers
        import chat.tools_trends
        import chat.tools_write  # noqa: F401
