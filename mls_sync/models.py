"""SyncRun: one recorded MLS sync run, in the public schema (the MLS data is shared by all sites)."""

from __future__ import annotations

from django.db import models


class SyncRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        OK = "ok", "Succeeded"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped (another run holds the lock)"

    class Mode(models.TextChoices):
        FULL = "full", "Full"
        INCREMENTAL = "incremental", "Incremental"
        STATUS = "status", "Status check"
        CLOSED = "closed", "Closed sales"
        PHOTOS = "photos", "Photos"

    source = models.CharField(max_length=32, db_index=True)
    mode = models.CharField(max_length=16, choices=Mode.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    dry_run = models.BooleanField(default=False)
    since = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    fetched = models.PositiveIntegerField(default=0)
    inserted = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    moved = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(default=0)
    purged = models.PositiveIntegerField(default=0)
    quarantined = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    retries = models.PositiveIntegerField(default=0)
    resumed = models.BooleanField(default=False)
    duration_s = models.FloatField(default=0.0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["source", "mode", "-started_at"], name="syncrun_source_mode_started")]

    def __str__(self) -> str:
        return f"{self.source} {self.mode} #{self.pk} ({self.status})"
