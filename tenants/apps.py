from typing import Any

from django.apps import AppConfig


class TenantsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tenants"
    verbose_name = "Sites and agents"

    def ready(self) -> None:
        from billing.signals import agent_plan_changed

        agent_plan_changed.connect(_agent_plan_changed, dispatch_uid="tenants-launch-paid-sites")


def _agent_plan_changed(*, user: Any, subscription: Any, **_: Any) -> None:
    """The agent's sites follow the plan at once (in the webhook's transaction); a paid (or
    trialing) Agent plan also launches the sites waiting for it, once that transaction has
    committed (a rolled-back event must not launch anything)."""
    from django.db import transaction

    from billing.models import Subscription
    from tenants.site_plans import agent_sites_sync

    agent_sites_sync(user=user)

    if subscription.status not in Subscription.LIVE_STATUSES:
        return
    user_id = user.pk

    def launch() -> None:
        from accounts.models import User
        from tenants.onboarding import applications_launch_paid

        owner = User.objects.filter(pk=user_id).first()
        if owner is not None:
            applications_launch_paid(user=owner)

    transaction.on_commit(launch)
