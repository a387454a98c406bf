"""Platform admin: categories (extendable), verification with a badge, review moderation."""

from django.contrib import admin
from django.http import HttpRequest

from providers.models import Category, Provider, Review
from providers.services import provider_verify


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "licence_kind", "licence_required", "position", "active")
    list_editable = ("position", "active")
    prepopulated_fields = {"slug": ("name",)}


@admin.action(description="Verify the selected providers")
def verify(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: object) -> None:
    for provider in queryset:  # type: ignore[attr-defined]
        provider_verify(provider=provider, admin=request.user, approve=True)


@admin.action(description="Reject the selected providers")
def reject(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: object) -> None:
    for provider in queryset:  # type: ignore[attr-defined]
        provider_verify(provider=provider, admin=request.user, approve=False)


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ("company", "category", "licence_number", "status", "verified_at")
    list_filter = ("status", "category")
    search_fields = ("company", "licence_number", "email")
    raw_id_fields = ("owner", "verified_by")
    readonly_fields = ("verified_at", "verified_by", "last_routed_at")
    actions = [verify, reject]


@admin.action(description="Approve the selected reviews")
def approve_reviews(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: object) -> None:
    queryset.update(status=Review.Status.APPROVED)  # type: ignore[attr-defined]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("provider", "rating", "status", "created_at")
    list_filter = ("status",)
    actions = [approve_reviews]
