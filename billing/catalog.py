"""Create or update the Stripe products and prices for ``billing.plans`` — idempotently.

Products use our own ids (``chatrealty_<plan>``) and prices are found by lookup key, so a
re-run changes nothing, and a changed amount creates a new price that takes the lookup key
over (``transfer_lookup_key``) while the old one is archived: Stripe prices are immutable and
existing subscribers keep theirs until they change plan."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import stripe

from billing.clients import stripe_client
from billing.plans import Audience, Plan, plan_list, plans_on_sale


@dataclass(frozen=True)
class SyncResult:
    plan: str
    product: str  # "created" | "updated" | "unchanged"
    price: str  # "created" | "replaced" | "unchanged"
    price_id: str


def _product_sync(client: stripe.StripeClient, plan: Plan) -> str:
    name, description = f"ChatRealty {plan.name}", plan.tagline
    metadata = {"plan": plan.key, "audience": plan.audience.value}
    try:
        product = client.v1.products.retrieve(plan.product_id)
    except stripe.InvalidRequestError as exc:
        if exc.http_status != 404:
            raise
        client.v1.products.create(
            params={"id": plan.product_id, "name": name, "description": description, "metadata": metadata},
            options={"idempotency_key": f"product-{plan.product_id}"},
        )
        return "created"
    current_metadata = product.metadata.to_dict() if product.metadata else {}
    if (product.name, product.description, current_metadata, product.active) == (name, description, metadata, True):
        return "unchanged"
    client.v1.products.update(
        plan.product_id, params={"name": name, "description": description, "metadata": metadata, "active": True}
    )
    return "updated"


def _price_sync(client: stripe.StripeClient, plan: Plan) -> tuple[str, str]:
    found = client.v1.prices.list(params={"lookup_keys": [plan.lookup_key], "limit": 1})
    existing = found.data[0] if found.data else None
    if (
        existing is not None
        and existing.active
        and existing.unit_amount == plan.price_cents
        and existing.currency == plan.currency
    ):
        return "unchanged", existing.id
    price = client.v1.prices.create(
        params={
            "product": plan.product_id,
            "unit_amount": plan.price_cents,
            "currency": plan.currency,
            "recurring": {"interval": plan.interval},
            "lookup_key": plan.lookup_key,
            "transfer_lookup_key": True,
            "nickname": f"{plan.name} monthly",
            "metadata": {"plan": plan.key},
        },
        # Keyed on what is being replaced too: after a manual change in the dashboard, the same
        # amount must create a fresh price rather than replay the one created before.
        options={
            "idempotency_key": f"price-{plan.lookup_key}-{plan.price_cents}-{plan.currency}"
            f"-replaces-{existing.id if existing else 'none'}"
        },
    )
    if existing is not None:
        client.v1.prices.update(existing.id, params={"active": False})
    client.v1.products.update(plan.product_id, params={"default_price": price.id})
    return ("replaced" if existing is not None else "created"), price.id


def plans_sync(*, client: stripe.StripeClient | None = None) -> list[SyncResult]:
    client = client or stripe_client()
    results = []
    for plan in plan_list(paid_only=True):
        product = _product_sync(client, plan)
        price, price_id = _price_sync(client, plan)
        results.append(SyncResult(plan=plan.key, product=product, price=price, price_id=price_id))
    return results


def _portal_params(audience: Audience, results: list[SyncResult]) -> dict[str, Any]:
    # Customers switch plans in the portal only to plans on sale (not to one whose features
    # are not built yet).
    plans = {p.key: p for p in plans_on_sale(audience=audience, paid_only=True)}
    switchable = [r for r in results if r.plan in plans] if audience == Audience.CONSUMER else []
    return {
        "business_profile": {"headline": "ChatRealty plans"},
        "metadata": {"chatrealty_audience": audience.value},
        "features": {
            "invoice_history": {"enabled": True},
            "payment_method_update": {"enabled": True},
            "subscription_cancel": {"enabled": True, "mode": "at_period_end"},
            # Consumers switch between their tiers with proration; the agent plan has no
            # other tier to switch to.
            "subscription_update": {
                "enabled": bool(switchable),
                "default_allowed_updates": ["price"] if switchable else [],
                "proration_behavior": "create_prorations",
                "products": [{"product": plans[r.plan].product_id, "prices": [r.price_id]} for r in switchable],
            },
        },
    }


def portal_configurations_sync(*, client: stripe.StripeClient, results: list[SyncResult]) -> dict[str, str]:
    """One Customer Portal configuration per audience, found again by metadata: the consumer
    one (the account default) switches between consumer plans; the agent and provider ones only
    cancel."""
    existing = {
        (c.metadata.to_dict() if c.metadata else {}).get("chatrealty_audience"): c
        for c in client.v1.billing_portal.configurations.list(params={"limit": 100}).auto_paging_iter()
    }
    ids = {}
    for audience in Audience:
        params = _portal_params(audience, results)
        config = existing.get(audience.value)
        if config is None:
            config = client.v1.billing_portal.configurations.create(
                params={**params, "is_default": audience == Audience.CONSUMER},  # type: ignore[typeddict-item]
                options={"idempotency_key": f"portal-config-{audience.value}"},
            )
        else:
            config = client.v1.billing_portal.configurations.update(config.id, params=params)  # type: ignore[arg-type]
        ids[audience.value] = config.id
    return ids


def portal_configuration_for(*, client: stripe.StripeClient, audience: Audience) -> str | None:
    for config in client.v1.billing_portal.configurations.list(params={"limit": 100}).auto_paging_iter():
        if (
            config.active
            and (config.metadata.to_dict() if config.metadata else {}).get("chatrealty_audience") == audience.value
        ):
            return config.id
    return None
