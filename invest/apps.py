from django.apps import AppConfig


class InvestConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "invest"
    verbose_name = "Investor tools"

    def ready(self) -> None:
        from core.events import listings_changed

        from .tasks import portfolio_on_changed

        listings_changed.connect(portfolio_on_changed, dispatch_uid="invest.portfolio_on_changed")
