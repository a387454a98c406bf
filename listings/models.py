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
