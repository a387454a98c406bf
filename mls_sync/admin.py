"""Platform admin: the configured MLS sources with their last sync, then every sync run,
newest first (public schema only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from core.mls_sources import source_choices
from mls_sync.models import SyncRun
from mls_sync.selectors import sources_status


class SourceFilter(admin.SimpleListFilter):
    title = "source"
    parameter_name = "source"

    def lookups(self, request, model_admin) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
        return source_choices()

    def queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        return queryset.filter(source=self.value()) if self.value() else queryset


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
    list_filter = (SourceFilter, "mode", "status", "dry_run")
    date_hierarchy = "started_at"
    readonly_fields = [f.name for f in SyncRun._meta.fields]
    search_fields = ("error",)

    def changelist_view(self, request, extra_context: dict[str, Any] | None = None):  # type: ignore[no-untyped-def]
        return super().changelist_view(request, {**(extra_context or {}), "mls_sources": sources_status()})

    def has_add_permission(self, request) -> bool:  # runs are recorded by the sync, never by hand
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
