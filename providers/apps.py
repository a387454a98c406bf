from typing import Any

from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "providers"
    verbose_name = "Service providers"

    def ready(self) -> None:
        from billing.signals import network_plan_changed

        network_plan_changed.connect(_plan_changed, dispatch_uid="providers-plan-sync")


def _plan_changed(*, user: Any, **_: Any) -> None:
    from providers.services import provider_plan_sync

    provider_plan_sync(user=user)
