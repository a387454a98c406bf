"""Leads: someone who asked the site's agent for something (a contact form, a showing, a CMA,
the assistant). Lives in each site's schema, and in the public schema for the flagship."""

from __future__ import annotations

from django.db import models
from wagtail.admin.panels import FieldPanel


class Lead(models.Model):
    """One request from a visitor, with where it came from and its context."""

    class Source(models.TextChoices):
        CONTACT_FORM = "contact_form", "Contact form"
        SHOWING_REQUEST = "showing_request", "Showing request"
        CHAT = "chat", "AI assistant"
        CMA = "cma", "CMA request"

    class Status(models.TextChoices):
        NEW = "new", "New"
        CONTACTED = "contacted", "Contacted"
        CLOSED = "closed", "Closed"

    source = models.CharField(max_length=32, choices=Source.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    name = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    message = models.TextField(blank=True)
    listing_key = models.CharField(max_length=64, blank=True)
    user = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="leads")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

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

    def __str__(self) -> str:
        return f"{self.get_source_display()}: {self.name or self.email}"
