"""What visitors of a site do with listings: favourites, swipes, saved searches.

Rows live in the site's own schema (the flagship's in the public schema); listings themselves
live in the shared MongoDB store and are referenced by ``listing_key``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Favorite(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favorites")
    listing_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "listing_key"], name="unique_favorite_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id} ♥ {self.listing_key}"


class Swipe(models.Model):
    """A like or a pass on a listing card, by a user or by an anonymous visitor."""

    class Direction(models.TextChoices):
        LIKE = "like", "Like"
        DISLIKE = "dislike", "Pass"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="swipes"
    )
    anonymous_id = models.CharField(max_length=32, blank=True, db_index=True)
    listing_key = models.CharField(max_length=64)
    direction = models.CharField(max_length=8, choices=Direction.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(user__isnull=False) | ~Q(anonymous_id=""), name="swipe_has_owner"),
        ]
        indexes = [models.Index(fields=["user", "listing_key"])]

    def __str__(self) -> str:
        return f"{self.user_id or self.anonymous_id} {self.direction} {self.listing_key}"


class SavedSearch(models.Model):
    class Frequency(models.TextChoices):
        INSTANT = "instant", "Instant"
        DAILY = "daily", "Daily digest"
        NEVER = "never", "No alerts"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches")
    name = models.CharField(max_length=120)
    query = models.JSONField(help_text="Validated search parameters, as the search API takes them.")
    frequency = models.CharField(max_length=16, choices=Frequency.choices, default=Frequency.DAILY)
    sms_enabled = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class AlertSent(models.Model):
    """One alert about one change of one listing for one saved search: recorded when the
    change is first seen, so each change fires once (``change`` is ``new`` or
    ``drop:<price>``). Daily-digest rows wait with ``sent_at`` empty until the digest goes."""

    class Kind(models.TextChoices):
        NEW = "new", "New match"
        PRICE_DROP = "price_drop", "Price drop"

    saved_search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="alerts")
    listing_key = models.CharField(max_length=64)
    change = models.CharField(max_length=48)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    price = models.FloatField(null=True, blank=True)
    previous_price = models.FloatField(null=True, blank=True)
    run_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    sms_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["saved_search", "listing_key", "change"], name="alert_once_per_change")
        ]
        indexes = [models.Index(fields=["sent_at", "saved_search"])]

    def __str__(self) -> str:
        return f"{self.saved_search_id} {self.change} {self.listing_key}"


class ApiKey(models.Model):
    """A key for programmatic use of the search API (Investor 3). Only a hash is stored; the
    key itself is shown once, at creation. ``prefix`` finds the row without the secret."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} (cr_{self.prefix}…)"
