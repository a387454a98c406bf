from django.apps import AppConfig


class ThemesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "themes"
    verbose_name = "Branding"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save
        from wagtail.images import get_image_model
        from wagtail.models import Site

        from themes.models import SiteBranding

        # The cached branding of a schema (themes.branding) is built from these rows.
        for model in (SiteBranding, Site, get_image_model()):
            post_save.connect(_branding_changed, sender=model, dispatch_uid=f"themes-branding-{model.__name__}-save")
            post_delete.connect(
                _branding_changed, sender=model, dispatch_uid=f"themes-branding-{model.__name__}-delete"
            )


def _branding_changed(**kwargs: object) -> None:
    from themes.branding import branding_cache_clear

    branding_cache_clear()
