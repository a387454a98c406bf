"""``manage.py billing_sync_plans``: create or update Stripe products and prices from
``billing.plans`` (safe to run on every deploy)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from billing.catalog import plans_sync, portal_configurations_sync
from billing.clients import stripe_client


class Command(BaseCommand):
    help = "Create or update the Stripe products and prices for every paid plan (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        import stripe

        try:
            results = plans_sync()
            portals = portal_configurations_sync(client=stripe_client(), results=results)
        except stripe.StripeError as exc:
            raise CommandError(f"Stripe refused the sync: {exc.user_message or exc}") from exc
        for r in results:
            self.stdout.write(f"{r.plan:<12} product {r.product:<9} price {r.price:<9} {r.price_id}")
        for audience, config_id in portals.items():
            self.stdout.write(f"portal configuration for {audience}: {config_id}")
        changed = sum(r.product != "unchanged" or r.price != "unchanged" for r in results)
        self.stdout.write(self.style.SUCCESS(f"{len(results)} plans in Stripe, {changed} changed."))
