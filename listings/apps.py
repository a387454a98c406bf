from django.apps import AppConfig


class ListingsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "listings"
    verbose_name = "Listings"

    def ready(self) -> None:
        from accounts.activity import register_anonymous_activity
        from listings.services import swipes_merge_anonymous

        register_anonymous_activity("swipes", merge=swipes_merge_anonymous)

        from billing.plans import Feature
        from billing.selectors import capacity_counter_register
        from listings.selectors import saved_search_count

        capacity_counter_register(feature=Feature.SAVED_SEARCHES, counter=lambda user: saved_search_count(user=user))
