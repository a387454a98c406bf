"""The service-provider directory: lenders, inspectors, escrow and title officers, contractors
and the like, verified by a platform admin, recommended per site, receiving visitors' requests.

Public schema only (``SHARED_APPS``): one directory for the network. Providers are network
accounts (``Provider.owner`` is a real foreign key, followed only in network views); visitors
are identified by email and the site (schema) they asked from, never by a foreign key into a
site's user table."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from marketplace.media import marketplace_storage


class LicenceKind(models.TextChoices):
    NONE = "", "No licence number"
    NMLS = "nmls", "NMLS ID (mortgage lenders and loan officers)"
    CSLB = "cslb", "CSLB licence number (California contractors)"
    DRE = "dre", "California DRE licence number"


class Category(models.Model):
    """A kind of provider. Seeded with the common ones; platform admins add more."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=60)
    licence_kind = models.CharField(max_length=8, choices=LicenceKind.choices, blank=True, default="")
    licence_required = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=100)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Provider(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting verification"
        VERIFIED = "verified", "Verified"
        REJECTED = "rejected", "Rejected"
        SUSPENDED = "suspended", "Suspended"

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="provider_profile")
    company = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="providers")
    licence_number = models.CharField(max_length=20, blank=True)
    description = models.TextField(max_length=3000)
    phone = models.CharField(max_length=32)
    email = models.EmailField()
    website = models.URLField(blank=True)
    cities = ArrayField(models.SlugField(max_length=80), help_text="Service areas (city slugs).")
    logo = models.ImageField(storage=marketplace_storage, max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Round-robin among the providers covering a city: the least recently sent goes first.
    last_routed_at = models.DateTimeField(null=True, blank=True)
    # The owner's live Provider plan (billing), "" without one: featured placement and the
    # plan's monthly request slots. Kept by providers.services.provider_plan_sync from
    # billing's network_plan_changed signal, so directory reads need no billing query.
    plan_key = models.CharField(max_length=40, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["company"]
        indexes = [GinIndex(fields=["cities"], name="providers_cities")]

    def __str__(self) -> str:
        return self.company

    def get_absolute_url(self) -> str:
        return f"/providers/{self.slug}/"


class SiteRecommendation(models.Model):
    """A provider an agent's site recommends, in the agent's order (``site_schema`` is the
    site; the flagship's own list has ``public``)."""

    site_schema = models.CharField(max_length=63)
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="recommendations")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["site_schema", "position"]
        constraints = [models.UniqueConstraint(fields=["site_schema", "provider"], name="providers_recommend_once")]

    def __str__(self) -> str:
        return f"{self.site_schema}: {self.provider} #{self.position}"


class ServiceRequest(models.Model):
    """A visitor's request ("Get pre-approved", "Book an inspection", "Open escrow"), with the
    listing it was made from, sent to at most three providers covering the city."""

    class Source(models.TextChoices):
        LISTING = "listing", "Listing page"
        CHAT = "chat", "Chat assistant"
        DIRECTORY = "directory", "Directory"

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="requests")
    city_slug = models.SlugField(max_length=80)
    site_schema = models.CharField(max_length=63)
    source = models.CharField(max_length=10, choices=Source.choices)
    listing_key = models.CharField(max_length=64, blank=True)
    listing_address = models.CharField(max_length=200, blank=True)
    listing_url = models.URLField(blank=True)
    listing_price = models.PositiveIntegerField(null=True, blank=True)
    name = models.CharField(max_length=120)
    email = models.EmailField()
    phone = models.CharField(max_length=32, blank=True)
    message = models.TextField(max_length=2000, blank=True)
    visitor_user_id = models.BigIntegerField(null=True, blank=True)
    # The visitor's link back (to read answers and leave a review), mailed to them.
    access_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.category} in {self.city_slug} for {self.email}"


class Assignment(models.Model):
    """One provider's copy of a request, with their answer and the outcome."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        ANSWERED = "answered", "Answered"
        WON = "won", "Won"
        LOST = "lost", "Lost"

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="assignments")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="assignments")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.NEW)
    answer = models.TextField(max_length=4000, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["request", "provider"], name="providers_assign_once")]

    def __str__(self) -> str:
        return f"{self.provider} ← {self.request_id} ({self.status})"


class Review(models.Model):
    """A visitor's review of a provider they sent a request to: one per request, shown once a
    platform admin approves it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting moderation"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    request = models.OneToOneField(ServiceRequest, on_delete=models.CASCADE, related_name="review")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    body = models.TextField(max_length=3000)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.rating}★ {self.provider}"
