from django.apps import AppConfig


class MlsSyncConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "mls_sync"
    verbose_name = "MLS sync"
