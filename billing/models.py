"""Billing state mirrored from Stripe.

This app is in both SHARED_APPS and TENANT_APPS, so every table exists in the public schema
and in each site's schema. What is *used* where:

* a site's schema: its users' consumer ``Subscription``s, ``BillingCustomer``s, ``Invoice``s
  and ``UsageCounter``s — a site's users and what they paid belong to that site;
* the public schema: the same for flagship visitors and, above all, the agents' network
  accounts holding the Agent plan (which keeps their ``tenants.Tenant`` active), plus every
  ``WebhookEvent``: Stripe has one endpoint per account, so de-duplication by event id must
  be global, not per site.

Nothing here is ever deleted by billing code: a canceled subscription keeps its row (status
``canceled``) and a user who drops to Free keeps all their data.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class BillingCustomer(models.Model):
    """Which Stripe customer pays for which user of this schema."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="billing_customer",
    )
    stripe_customer_id = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.stripe_customer_id


class Subscription(models.Model):
    """The latest known state of one Stripe subscription."""

    class Status(models.TextChoices):
        INCOMPLETE = "incomplete"
        INCOMPLETE_EXPIRED = "incomplete_expired"
        TRIALING = "trialing"
        ACTIVE = "active"
        PAST_DUE = "past_due"
        CANCELED = "canceled"
        UNPAID = "unpaid"
        PAUSED = "paused"

    # Statuses in which a subscription still counts as "the user's plan" (past_due only for
    # the grace period, decided at read time).
    LIVE_STATUSES = (Status.TRIALING, Status.ACTIVE, Status.PAST_DUE)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="billing_subscriptions",
    )
    stripe_subscription_id = models.CharField(max_length=255, unique=True)
    stripe_customer_id = models.CharField(max_length=255, db_index=True)
    plan_key = models.CharField(max_length=32)
    status = models.CharField(max_length=24, choices=Status.choices)
    current_period_start = models.DateTimeField(null=True)
    current_period_end = models.DateTimeField(null=True)
    cancel_at_period_end = models.BooleanField(default=False)
    past_due_since = models.DateTimeField(null=True, blank=True)
    canceled_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # ``created`` of the Stripe event (or API read) this row reflects. Events arrive late and
    # out of order; an older snapshot must never overwrite a newer one.
    state_as_of = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # entitlement_check's lookup: the live subscription of one user.
            models.Index(fields=["user", "status", "-current_period_start"], name="billing_sub_user_status"),
        ]

    def __str__(self) -> str:
        return f"{self.stripe_subscription_id} ({self.plan_key}, {self.status})"


class Invoice(models.Model):
    """Invoices as Stripe reported them, for the billing page (no API call to render it)."""

    subscription = models.ForeignKey(Subscription, null=True, on_delete=models.SET_NULL, related_name="invoices")
    stripe_invoice_id = models.CharField(max_length=255, unique=True)
    stripe_customer_id = models.CharField(max_length=255, db_index=True)
    number = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=24)
    amount_due = models.PositiveIntegerField(default=0)
    amount_paid = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3, default="usd")
    hosted_invoice_url = models.URLField(max_length=500, blank=True)
    period_start = models.DateTimeField(null=True)
    period_end = models.DateTimeField(null=True)
    created = models.DateTimeField()
    state_as_of = models.DateTimeField()

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.number or self.stripe_invoice_id

    @property
    def amount_display(self) -> str:
        return f"${self.amount_due / 100:,.2f}"


class WebhookEvent(models.Model):
    """Every Stripe event received, stored by id so each is handled exactly once.

    Written in the public schema only (see module docstring)."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100, db_index=True)
    created = models.DateTimeField()
    target_schema = models.CharField(max_length=63, blank=True)
    outcome = models.CharField(max_length=32, blank=True)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.event_id} {self.type}"


class UsageCounter(models.Model):
    """How much of a metered feature one visitor used in one billing period.

    A new period is a new row, so usage resets at each period start without a reset job,
    and past periods stay as history. ``subject`` is ``u:<user id>`` or ``a:<anonymous id>``
    so visitors who have not signed up are metered too."""

    subject = models.CharField(max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="usage_counters",
    )
    metric = models.CharField(max_length=32)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    used = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "metric", "period_start"], name="billing_usage_one_row_per_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.metric} {self.period_start:%Y-%m-%d}: {self.used}"
