"""The platform admin's records (public schema): reported pages, site exports, and the log of
what admins did."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PageReport(models.Model):
    """A visitor's report of a page on any site of the network, for the moderators."""

    class Reason(models.TextChoices):
        SPAM = "spam", "Spam or scam"
        MISLEADING = "misleading", "Misleading listing information"
        DISCRIMINATION = "discrimination", "Discriminatory (fair housing)"
        OFFENSIVE = "offensive", "Offensive content"
        COPYRIGHT = "copyright", "Copyright or stolen photos"
        OTHER = "other", "Something else"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DISMISSED = "dismissed", "Dismissed"
        UNPUBLISHED = "unpublished", "Page unpublished"

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="page_reports")
    path = models.CharField(max_length=500)
    page_id = models.PositiveIntegerField(null=True, blank=True, help_text="The Wagtail page, when it is one.")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    message = models.TextField(blank=True, max_length=2000)
    reporter_email = models.EmailField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.path}"


class SiteExport(models.Model):
    """A downloadable archive of one site's pages, leads, users and activity (made before a
    site is deleted, or on demand). Files live outside the media folders (``PRIVATE_ROOT``)."""

    tenant = models.ForeignKey("tenants.Tenant", null=True, on_delete=models.SET_NULL, related_name="exports")
    site_slug = models.CharField(max_length=63)
    path = models.CharField(max_length=300)
    size = models.PositiveBigIntegerField(default=0)
    counts = models.JSONField(default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.site_slug} export {self.created_at:%Y-%m-%d %H:%M}"


class AdminAction(models.Model):
    """Who did what in the platform admin, kept after the site or user is gone."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    actor_email = models.EmailField()
    action = models.CharField(max_length=40)
    target = models.CharField(max_length=200)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.actor_email} {self.action} {self.target}"
