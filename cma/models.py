"""Saved CMA reports, in the schema of the site they were made on."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


def pdf_path(instance: CmaReport, filename: str) -> str:
    # Under MEDIA_ROOT/<schema>/ (TenantFileSystemStorage); the name carries the report's
    # random id, never user input.
    return f"cma/{instance.created_at:%Y/%m}/{instance.public_id}.pdf"


class CmaReport(models.Model):
    """One CMA as it was delivered: what was asked (inputs), what the engine answered (result,
    the same dict the page, PDF and API show), the PDF once rendered, who asked and where."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="cma_reports"
    )
    via = models.CharField(max_length=16, default="page")  # page / api / chat
    schema_name = models.CharField(max_length=63)  # the site (also implied by the schema it lives in)
    listing_key = models.CharField(max_length=64, blank=True)
    address = models.CharField(max_length=300, blank=True)
    inputs = models.JSONField(default=dict)
    result = models.JSONField(default=dict)
    estimate = models.BigIntegerField(null=True, blank=True)
    branding = models.JSONField(default=dict, blank=True)  # the site's look when it was made (PDF)
    pdf = models.FileField(upload_to=pdf_path, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"CMA {self.address or self.listing_key} ({self.created_at:%Y-%m-%d})"
