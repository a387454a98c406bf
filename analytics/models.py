"""Site analytics: raw events (written in batches, off the request path) and daily rollups the
dashboard reads. Per site schema. No raw IP address is stored: a visitor is a salted hash whose
salt changes every day, so visits cannot be linked across days or back to an address."""

from __future__ import annotations

from django.db import models


class Kind(models.TextChoices):
    PAGE_VIEW = "page_view", "Page view"
    LISTING_VIEW = "listing_view", "Listing view"
    SEARCH = "search", "Search"
    SWIPE = "swipe", "Swipe"
    FAVORITE = "favorite", "Favourite"
    CHAT_MESSAGE = "chat_message", "Chat message"
    CMA_REPORT = "cma_report", "CMA report"
    LEAD = "lead", "Lead"
    SIGN_UP = "sign_up", "Sign-up"


# Kinds that show a visitor did more than look at one page.
ENGAGED_KINDS = (Kind.LISTING_VIEW, Kind.SEARCH, Kind.SWIPE, Kind.FAVORITE, Kind.CHAT_MESSAGE, Kind.CMA_REPORT)


class Event(models.Model):
    kind = models.CharField(max_length=16, choices=Kind.choices)
    at = models.DateTimeField(db_index=True)
    visitor = models.CharField(max_length=16, blank=True)  # salted daily hash; blank under DNT/GPC
    key = models.CharField(max_length=200, blank=True)  # listing slug, search terms, lead source
    # Set by the recorder per event: a retried flush cannot insert the same event twice.
    uid = models.CharField(max_length=32, unique=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d}"


class DailyRollup(models.Model):
    """Counts of one kind of event on one day: ``key`` blank is the day's total (with distinct
    visitors), otherwise one listing, search or source."""

    day = models.DateField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    key = models.CharField(max_length=200, blank=True)
    count = models.PositiveIntegerField(default=0)
    visitors = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "kind", "key"], name="analytics_rollup_unique")]
        indexes = [models.Index(fields=["kind", "day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.key}: {self.count}"


class DailyVisitors(models.Model):
    """Distinct visitors of a day, and of them those who engaged (see ENGAGED_KINDS)."""

    day = models.DateField(unique=True)
    visitors = models.PositiveIntegerField(default=0)
    engaged = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.visitors}"
