"""``billing_banner`` for templates: tells a site's staff their Agent plan payment failed."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def billing(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    user = getattr(request, "user", None)
    if tenant is None or getattr(tenant, "is_public", True) or not (user and user.is_staff):
        return {}
    if tenant.plan_status == "past_due":
        return {
            "billing_banner": "Your site's payment failed. Update your card on the network "
            "billing page to keep the site online."
        }
    if tenant.plan_status == "suspended":
        return {"billing_banner": "Your site is offline to visitors until the Agent plan is paid."}
    return {}
