"""Leads and the CRM around them: the person (contact) behind one or more leads, the pipeline,
notes, tasks, routing rules and closed deals. Lives in each site's schema, and in the public
schema for the flagship."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from wagtail.admin.panels import FieldPanel


class Contact(models.Model):
    """One person, however many times and ways they reached out (merged by email or phone)."""

    name = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    phone_digits = models.CharField(max_length=32, blank=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["email"], condition=~Q(email=""), name="leads_contact_email_unique")
        ]

    def __str__(self) -> str:
        return self.name or self.email or self.phone or f"Contact {self.pk}"


class Lead(models.Model):
    """One request from a visitor, with where it came from and its context."""

    class Source(models.TextChoices):
        CONTACT_FORM = "contact_form", "Contact form"
        SHOWING_REQUEST = "showing_request", "Showing request"
        CHAT = "chat", "AI assistant"
        CMA = "cma", "CMA request"
        SIGN_UP = "sign_up", "Sign-up"
        SAVED_SEARCH = "saved_search", "Saved search"
        IMPORT = "import", "Imported"

    class Status(models.TextChoices):
        NEW = "new", "New"
        CONTACTED = "contacted", "Contacted"
        SHOWING = "showing", "Showing"
        OFFER = "offer", "Offer"
        UNDER_CONTRACT = "under_contract", "Under contract"
        CLOSED = "closed", "Closed"
        LOST = "lost", "Lost"

    source = models.CharField(max_length=32, choices=Source.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    name = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    message = models.TextField(blank=True)
    listing_key = models.CharField(max_length=64, blank=True)
    user = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="leads")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="leads")
    assigned_to = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_leads"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    # Set when an agent first acts on the lead (stage change, note): an answered lead stays put.
    answered_at = models.DateTimeField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    panels = [
        FieldPanel("status"),
        FieldPanel("source", read_only=True),
        FieldPanel("name", read_only=True),
        FieldPanel("email", read_only=True),
        FieldPanel("phone", read_only=True),
        FieldPanel("message", read_only=True),
        FieldPanel("listing_key", read_only=True),
    ]

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "assigned_at"])]

    def __str__(self) -> str:
        return f"{self.get_source_display()}: {self.name or self.email}"


class Activity(models.Model):
    """One entry of a person's timeline: a lead, a note, a stage change, an assignment, a mail."""

    class Kind(models.TextChoices):
        LEAD = "lead", "Lead"
        NOTE = "note", "Note"
        STAGE = "stage", "Stage change"
        ASSIGNED = "assigned", "Assigned"
        TASK = "task", "Task"
        EMAIL = "email", "Email sent"

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="activities")
    lead = models.ForeignKey(Lead, null=True, blank=True, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    text = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:40]}"


class Task(models.Model):
    """A follow-up with a due date; its owner gets a reminder mail when it falls due."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=200)
    due_at = models.DateTimeField()
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["done_at", "due_at"]
        indexes = [
            models.Index(
                fields=["due_at"], condition=Q(done_at__isnull=True, reminded_at__isnull=True), name="leads_task_due"
            )
        ]

    def __str__(self) -> str:
        return self.title


class RoutingRule(models.Model):
    """Who gets a new lead. Rules are tried in order; the first that matches assigns."""

    class Kind(models.TextChoices):
        SOURCE = "source", "By source"
        CITY = "city", "By city"
        PRICE_BAND = "price_band", "By price band"
        ROUND_ROBIN = "round_robin", "Round robin"
        DEFAULT = "default", "Default owner"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    position = models.PositiveIntegerField(default=0)
    source = models.CharField(max_length=32, blank=True)
    city = models.CharField(max_length=100, blank=True)
    min_price = models.PositiveBigIntegerField(null=True, blank=True)
    max_price = models.PositiveBigIntegerField(null=True, blank=True)
    # The agent for source/city/price/default rules; round robin takes its pool from ``agents``.
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    agents = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.get_kind_display()


class RoutingConfig(models.Model):
    """The site's routing settings (one row)."""

    panels = [FieldPanel("reassign_after_minutes")]

    reassign_after_minutes = models.PositiveIntegerField(default=60)

    def __str__(self) -> str:
        return f"Reassign after {self.reassign_after_minutes} min"


class Deal(models.Model):
    """A closed sale: its price and commission, split between the agents on it and the
    brokerage. Money in integer cents; rates in basis points (1 % = 100)."""

    lead = models.ForeignKey(Lead, null=True, blank=True, on_delete=models.SET_NULL, related_name="deals")
    title = models.CharField(max_length=200)
    sale_price_cents = models.PositiveBigIntegerField()
    commission_rate_bp = models.PositiveIntegerField()
    closed_on = models.DateField()
    # Stored as computed when recorded (leads.commission), so every report sums the same cents.
    commission_cents = models.PositiveBigIntegerField(default=0)
    brokerage_cents = models.PositiveBigIntegerField(default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-closed_on", "-pk"]

    def __str__(self) -> str:
        return self.title


class DealSplit(models.Model):
    """One agent's part of a deal's commission: a percentage of it or a fixed amount, capped."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="splits")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    percent_bp = models.PositiveIntegerField(null=True, blank=True)
    fixed_cents = models.PositiveBigIntegerField(null=True, blank=True)
    cap_cents = models.PositiveBigIntegerField(null=True, blank=True)
    amount_cents = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(percent_bp__isnull=False, fixed_cents__isnull=True)
                | Q(percent_bp__isnull=True, fixed_cents__isnull=False),
                name="leads_split_percent_or_fixed",
            )
        ]

    def __str__(self) -> str:
        return f"{self.agent_id}: {self.amount_cents}"
