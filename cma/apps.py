from django.apps import AppConfig


class CmaConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cma"
    verbose_name = "CMA reports"
