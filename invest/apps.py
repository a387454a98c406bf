from django.apps import AppConfig


class InvestConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "invest"
    verbose_name = "Investor tools"
