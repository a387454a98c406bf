from django.apps import AppConfig


class ListingsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "listings"
    verbose_name = "Listings"

    def ready(self) -> None:
        from accounts.activity import register_anonymous_activity
        from listings.services import swipes_merge_anonymous

        register_anonymous_activity("swipes", merge=swipes_merge_anonymous)
