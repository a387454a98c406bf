"""Platform admin: every MLS sync run, newest first (public schema only)."""

from __future__ import annotations

from django.contrib import admin

from mls_sync.models import SyncRun


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "source",
        "mode",
        "status",
        "started_at",
        "duration_s",
        "fetched",
        "inserted",
        "updated",
        "unchanged",
        "moved",
        "removed",
        "purged",
        "quarantined",
        "errors",
        "retries",
    )
    list_filter = ("source", "mode", "status", "dry_run")
    date_hierarchy = "started_at"
    readonly_fields = [f.name for f in SyncRun._meta.fields]
    search_fields = ("error",)

    def has_add_permission(self, request) -> bool:  # runs are recorded by the sync, never by hand
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
