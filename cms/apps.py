from django.apps import AppConfig


class CmsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cms"
    verbose_name = "Pages"

    def ready(self) -> None:
        from cms.models import COMMUNITY_PAGE_TYPES
        from listings.community import community_editor_page_types_register

        community_editor_page_types_register(*COMMUNITY_PAGE_TYPES)
