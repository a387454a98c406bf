"""Platform admin: cities' rental rules (tax, permits), listings, bookings, review moderation."""

from django.contrib import admin

from rentals.models import Booking, CityRule, Payout, Property, Review


@admin.register(CityRule)
class CityRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "city_slug", "occupancy_tax_percent", "permit_required")
    search_fields = ("name", "city_slug")


@admin.register(Property)
class PropertyAdmin(admin.ModelAdmin):
    list_display = ("title", "city", "status", "sleeps", "nightly_rate_cents", "permit_number")
    list_filter = ("status", "city")
    search_fields = ("title", "address", "city", "permit_number")
    raw_id_fields = ("host",)
    readonly_fields = ("ical_token",)


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ("id", "property", "check_in", "check_out", "status", "total_cents", "refunded_cents", "site_schema")
    list_filter = ("status", "site_schema")
    search_fields = ("guest_email", "guest_name", "stripe_session_id", "stripe_payment_intent_id")
    readonly_fields = [f.name for f in Booking._meta.fields]


@admin.register(Payout)
class PayoutAdmin(admin.ModelAdmin):
    list_display = ("booking", "gross_cents", "fee_cents", "amount_cents", "status", "scheduled_for")
    list_filter = ("status",)


@admin.action(description="Approve the selected reviews")
def approve(modeladmin: admin.ModelAdmin, request: object, queryset: object) -> None:
    queryset.update(status=Review.Status.APPROVED)  # type: ignore[attr-defined]


@admin.action(description="Reject the selected reviews")
def reject(modeladmin: admin.ModelAdmin, request: object, queryset: object) -> None:
    queryset.update(status=Review.Status.REJECTED)  # type: ignore[attr-defined]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("property", "rating", "status", "created_at")
    list_filter = ("status",)
    actions = [approve, reject]
