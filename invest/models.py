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
