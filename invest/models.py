"""Saved deal analyses, in the schema of the site they were made on."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class SavedAnalysis(models.Model):
    """One deal analysis as the investor saved it: the assumptions (inputs, strings of exact
    decimals), the result dict the page and the PDF both render, and the site's look then."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deal_analyses")
    schema_name = models.CharField(max_length=63)
    listing_key = models.CharField(max_length=64, blank=True)
    address = models.CharField(max_length=300, blank=True)
    title = models.CharField(max_length=120, blank=True)
    inputs = models.JSONField(default=dict)
    result = models.JSONField(default=dict)
    branding = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"Analysis {self.title or self.address or self.listing_key} ({self.created_at:%Y-%m-%d})"


class PortfolioProperty(models.Model):
    """A home the investor owns, in the schema of the site it was added on. Money is integer
    cents; the CMA engine's current value is refreshed after each closed-sales sync
    (``invest.portfolio_revalue``), its history in ``PortfolioValue``."""

    class Source(models.TextChoices):
        LISTING = "listing", "Listing"
        CLOSED = "closed", "Closed sale"
        ADDRESS = "address", "Address"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portfolio_properties")
    source = models.CharField(max_length=10, choices=Source.choices)
    listing_key = models.CharField(max_length=64, blank=True)
    address = models.CharField(max_length=300)
    # The home's facts as the CMA engine's Subject takes them (position, size, type, ...).
    facts = models.JSONField(default=dict)
    purchase_price_cents = models.BigIntegerField()
    purchase_date = models.DateField()
    loan_amount_cents = models.BigIntegerField(default=0)
    loan_rate_pct = models.DecimalField(max_digits=6, decimal_places=3, default=0)
    loan_term_years = models.PositiveSmallIntegerField(default=30)
    rent_monthly_cents = models.BigIntegerField(default=0)
    tax_yearly_cents = models.BigIntegerField(default=0)
    insurance_yearly_cents = models.BigIntegerField(default=0)
    hoa_monthly_cents = models.BigIntegerField(default=0)
    other_monthly_cents = models.BigIntegerField(default=0)
    vacancy_pct = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    # Mail the owner when the estimate moves more than this from the last estimate mailed.
    alert_pct = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    alert_base_cents = models.BigIntegerField(null=True, blank=True)
    value_cents = models.BigIntegerField(null=True, blank=True)
    value_low_cents = models.BigIntegerField(null=True, blank=True)
    value_high_cents = models.BigIntegerField(null=True, blank=True)
    value_note = models.CharField(max_length=300, blank=True)
    valued_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["address", "id"]
        indexes = [models.Index(fields=["user", "address"])]

    def __str__(self) -> str:
        return self.address


class PortfolioValue(models.Model):
    """The CMA estimate of a property on a day (one row a day: the last revaluation wins)."""

    property = models.ForeignKey(PortfolioProperty, on_delete=models.CASCADE, related_name="values")
    day = models.DateField()
    value_cents = models.BigIntegerField()
    low_cents = models.BigIntegerField(null=True)
    high_cents = models.BigIntegerField(null=True)

    class Meta:
        ordering = ["property", "day"]
        constraints = [models.UniqueConstraint(fields=["property", "day"], name="portfolio_value_one_a_day")]

    def __str__(self) -> str:
        return f"{self.property_id} {self.day}: {self.value_cents / 100:,.0f}"


class PortfolioAlert(models.Model):
    """An estimate that moved more than the owner's percentage: recorded with the revaluation,
    mailed after it (``sent_at`` once the mail server took it)."""

    property = models.ForeignKey(PortfolioProperty, on_delete=models.CASCADE, related_name="alerts")
    day = models.DateField()
    previous_cents = models.BigIntegerField()
    value_cents = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-day", "-id"]
        constraints = [models.UniqueConstraint(fields=["property", "day"], name="portfolio_alert_one_a_day")]

    def __str__(self) -> str:
        return f"{self.property_id} {self.day}: {self.previous_cents / 100:,.0f} -> {self.value_cents / 100:,.0f}"
