"""Read-only admin: billing state is written by Stripe webhooks only; editing it by hand
would disagree with Stripe at the next event."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from billing.models import BillingCustomer, Invoice, Subscription, UsageCounter, WebhookEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = (
        "stripe_subscription_id",
        "user",
        "plan_key",
        "status",
        "current_period_end",
        "cancel_at_period_end",
    )
    list_filter = ("plan_key", "status", "cancel_at_period_end")
    search_fields = ("stripe_subscription_id", "stripe_customer_id", "user__email")


@admin.register(BillingCustomer)
class BillingCustomerAdmin(ReadOnlyAdmin):
    list_display = ("stripe_customer_id", "user", "created_at")
    search_fields = ("stripe_customer_id", "user__email")


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ("stripe_invoice_id", "number", "status", "amount_due", "amount_paid", "created")
    list_filter = ("status",)
    search_fields = ("stripe_invoice_id", "stripe_customer_id", "number")


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ("event_id", "type", "created", "target_schema", "outcome", "received_at")
    list_filter = ("type", "outcome")
    search_fields = ("event_id", "target_schema")


@admin.register(UsageCounter)
class UsageCounterAdmin(ReadOnlyAdmin):
    list_display = ("subject", "user", "metric", "period_start", "used")
    list_filter = ("metric",)
    search_fields = ("subject", "user__email")
