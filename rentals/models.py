"""Vacation rentals: hosts' own properties (not MLS), their calendars, bookings and payments.

Everything here is in the public schema (``SHARED_APPS`` only): the marketplace is shared by
the network, and each booking records the site (schema) it was made on. Guests are identified
by email and, when signed in, by their user id *in that site's schema*: a plain number, not a
foreign key, because user tables are per schema (docs/marketplace.md). Hosts are network
accounts (public schema), so ``Property.host`` is a real foreign key, only followed in views
served on the network.

Double booking is refused by PostgreSQL itself: ``CalendarBlock`` holds every night that is
taken (checkout holds, confirmed bookings, host blocks, imported Airbnb/VRBO events) and an
exclusion constraint forbids two rows of one property with overlapping date ranges.
"""

from __future__ import annotations

import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateRangeField, RangeOperators
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from marketplace.media import marketplace_storage


class Amenity(models.TextChoices):
    POOL = "pool", "Private pool"
    HOT_TUB = "hot_tub", "Hot tub"
    WIFI = "wifi", "Wi-Fi"
    AIR_CONDITIONING = "air_conditioning", "Air conditioning"
    KITCHEN = "kitchen", "Full kitchen"
    WASHER = "washer", "Washer and dryer"
    PARKING = "parking", "Free parking"
    EV_CHARGER = "ev_charger", "EV charger"
    PET_FRIENDLY = "pet_friendly", "Pets allowed"
    WORKSPACE = "workspace", "Dedicated workspace"
    BBQ = "bbq", "BBQ grill"
    FIREPLACE = "fireplace", "Fireplace"
    MOUNTAIN_VIEW = "mountain_view", "Mountain view"
    GOLF = "golf", "Golf course access"


class CancellationPolicy(models.TextChoices):
    FLEXIBLE = "flexible", "Flexible: full refund up to 1 day before check-in"
    MODERATE = "moderate", "Moderate: full refund up to 5 days before check-in, then 50% of the nights"
    STRICT = "strict", "Strict: full refund up to 14 days before, 50% up to 7 days, then none"


def _token() -> str:
    return secrets.token_urlsafe(24)


class CityRule(models.Model):
    """What a city asks of short-term rentals: its transient occupancy tax and whether a
    permit number must be shown (Palm Springs: 11.5% and a permit). Edited in the admin."""

    city_slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=80)
    occupancy_tax_percent = models.DecimalField(
        max_digits=5, decimal_places=3, validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(30))]
    )
    permit_required = models.BooleanField(default=False)
    permit_label = models.CharField(max_length=80, default="Short-term rental permit number")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.occupancy_tax_percent}% TOT)"


class Property(models.Model):
    """A host's rental home. Prices are whole cents; dates are nights (check-in to check-out)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        LISTED = "listed", "Listed"
        PAUSED = "paused", "Paused"

    host = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rental_properties")
    title = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    description = models.TextField()
    house_rules = models.TextField(blank=True)
    address = models.CharField(max_length=200)
    city = models.CharField(max_length=80)
    city_slug = models.SlugField(max_length=80, db_index=True)
    latitude = models.FloatField(validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(validators=[MinValueValidator(-180), MaxValueValidator(180)])
    sleeps = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(50)])
    bedrooms = models.PositiveSmallIntegerField(validators=[MaxValueValidator(30)])
    bathrooms = models.DecimalField(max_digits=3, decimal_places=1, default=Decimal(1))
    amenities = ArrayField(models.CharField(max_length=32, choices=Amenity.choices), default=list, blank=True)
    nightly_rate_cents = models.PositiveIntegerField(validators=[MinValueValidator(1000)])
    # Friday and Saturday nights; null = the nightly rate.
    weekend_rate_cents = models.PositiveIntegerField(null=True, blank=True, validators=[MinValueValidator(1000)])
    cleaning_fee_cents = models.PositiveIntegerField(default=0)
    min_nights = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1), MaxValueValidator(60)])
    cancellation_policy = models.CharField(
        max_length=16, choices=CancellationPolicy.choices, default=CancellationPolicy.MODERATE
    )
    permit_number = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    # The secret in this property's iCal export URL (given to Airbnb/VRBO); rotatable.
    ical_token = models.CharField(max_length=48, default=_token, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "properties"
        indexes = [
            models.Index(fields=["status", "latitude", "longitude"], name="rentals_prop_geo"),
            models.Index(fields=["status", "sleeps", "nightly_rate_cents"], name="rentals_prop_size_price"),
            GinIndex(fields=["amenities"], name="rentals_prop_amenities"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/rentals/{self.slug}/"

    @property
    def amenity_labels(self) -> list[str]:
        labels = dict(Amenity.choices)
        return [labels.get(a, a) for a in self.amenities]


class SeasonalRate(models.Model):
    """A nightly (and weekend) rate for nights from ``start`` to ``end`` inclusive: high
    season, Coachella weekends, holidays."""

    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="seasonal_rates")
    name = models.CharField(max_length=60)
    start = models.DateField()
    end = models.DateField()
    nightly_rate_cents = models.PositiveIntegerField(validators=[MinValueValidator(1000)])
    weekend_rate_cents = models.PositiveIntegerField(null=True, blank=True, validators=[MinValueValidator(1000)])

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="rentals_season_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.start}–{self.end}"


class Photo(models.Model):
    """A resized copy of a host's photo (the upload itself is never kept)."""

    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="photos")
    large = models.ImageField(storage=marketplace_storage, max_length=200)
    thumb = models.ImageField(storage=marketplace_storage, max_length=200)
    caption = models.CharField(max_length=140, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.caption or self.large.name


class CalendarFeed(models.Model):
    """An iCalendar feed the host imports (their Airbnb or VRBO calendar), read on a schedule."""

    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="feeds")
    name = models.CharField(max_length=60)
    url = models.URLField(max_length=500)
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    last_event_count = models.PositiveIntegerField(default=0)
    last_conflicts = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["property", "url"], name="rentals_feed_once")]

    def __str__(self) -> str:
        return f"{self.name} ({self.property})"


class Booking(models.Model):
    """A guest's stay, from the checkout that holds the dates to its end. The price is frozen
    when the checkout starts: what the guest saw is what Stripe charges."""

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting payment"
        CONFIRMED = "confirmed", "Confirmed"
        EXPIRED = "expired", "Checkout abandoned"
        CANCELLED = "cancelled", "Cancelled"
        # Paid after its hold ran out while another guest took the dates: refunded in full.
        REFUSED = "refused", "Refused (dates taken) and refunded"

    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="bookings")
    check_in = models.DateField()
    check_out = models.DateField()
    guests = models.PositiveSmallIntegerField()
    guest_name = models.CharField(max_length=120)
    guest_email = models.EmailField()
    guest_phone = models.CharField(max_length=32, blank=True)
    # Where the guest booked: a site's schema, and their user id in that schema (if signed in).
    site_schema = models.CharField(max_length=63)
    guest_user_id = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    nights = models.PositiveSmallIntegerField()
    nights_cents = models.PositiveIntegerField()
    cleaning_cents = models.PositiveIntegerField()
    tax_cents = models.PositiveIntegerField()
    tax_percent = models.DecimalField(max_digits=5, decimal_places=3)
    total_cents = models.PositiveIntegerField()
    nightly_breakdown = models.JSONField(default=list)
    cancellation_policy = models.CharField(max_length=16, choices=CancellationPolicy.choices)
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    stripe_session_id = models.CharField(max_length=255, blank=True, db_index=True)
    stripe_payment_intent_id = models.CharField(max_length=255, blank=True)
    paid_cents = models.PositiveIntegerField(default=0)
    refunded_cents = models.PositiveIntegerField(default=0)
    # The guest's way back to their trip (emailed), whichever site they booked on.
    access_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.CharField(max_length=8, blank=True)

    class Meta:
        ordering = ["-check_in"]
        indexes = [models.Index(fields=["property", "status", "check_in"], name="rentals_booking_prop_status")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(check_out__gt=models.F("check_in")), name="rentals_booking_dates"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    total_cents=models.F("nights_cents") + models.F("cleaning_cents") + models.F("tax_cents")
                ),
                name="rentals_booking_total_adds_up",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.property} {self.check_in}→{self.check_out} ({self.status})"

    def get_absolute_url(self) -> str:
        return f"/rentals/trips/{self.access_token}/"


def range_start(field: str) -> models.Func:
    """``lower(<daterange>)`` as a date (Django's ``Lower`` is the text function)."""
    return models.Func(models.F(field), function="LOWER", output_field=models.DateField())


def range_end(field: str) -> models.Func:
    return models.Func(models.F(field), function="UPPER", output_field=models.DateField())


class CalendarBlock(models.Model):
    """One taken date range of a property: [start, end) in nights. The exclusion constraint
    (btree_gist) makes PostgreSQL refuse any row overlapping another of the same property, so
    two guests paying for the same nights at the same moment cannot both hold them."""

    class Kind(models.TextChoices):
        HOLD = "hold", "Held during checkout"
        BOOKING = "booking", "Booked"
        BLOCKED = "blocked", "Blocked by the host"
        IMPORTED = "imported", "Booked elsewhere (imported calendar)"

    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="blocks")
    period = DateRangeField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    booking = models.OneToOneField(Booking, null=True, blank=True, on_delete=models.CASCADE, related_name="block")
    feed = models.ForeignKey(CalendarFeed, null=True, blank=True, on_delete=models.CASCADE, related_name="blocks")
    # Imported events keep their UID so a re-read replaces rather than duplicates them.
    external_uid = models.CharField(max_length=255, blank=True)
    note = models.CharField(max_length=200, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        constraints = [
            ExclusionConstraint(
                name="rentals_no_overlapping_nights",
                expressions=[("property", RangeOperators.EQUAL), ("period", RangeOperators.OVERLAPS)],
            ),
            models.CheckConstraint(condition=~models.Q(period__isempty=True), name="rentals_block_not_empty"),
        ]
        indexes = [
            # Guest search asks, per home, for the last block starting before check-out: one
            # backward step in this btree, index-only thanks to the included range; the
            # constraint's GiST index answers "any overlap?" too but costs several times more
            # per home (rentals.selectors.rental_search).
            models.Index(models.F("property"), range_start("period"), name="rentals_block_starts", include=["period"]),
        ]

    def __str__(self) -> str:
        return f"{self.property_id} {self.period} {self.kind}"


class Payment(models.Model):
    """Money movements of a booking as Stripe reported them: the charge, each refund."""

    class Kind(models.TextChoices):
        CHARGE = "charge", "Charge"
        REFUND = "refund", "Refund"

    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    amount_cents = models.PositiveIntegerField()
    stripe_id = models.CharField(max_length=255, unique=True)
    status = models.CharField(max_length=24)
    reason = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount_cents} ({self.stripe_id})"


class Payout(models.Model):
    """What the host is owed for a booking: rent and cleaning less the platform fee (the
    occupancy tax is remitted by the platform). Adjusted when a booking is cancelled."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        PAID = "paid", "Paid"
        VOID = "void", "Void (fully refunded)"

    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, related_name="payout")
    gross_cents = models.PositiveIntegerField()
    fee_cents = models.PositiveIntegerField()
    amount_cents = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    # Hosts are paid the day after check-in, as the big platforms do.
    scheduled_for = models.DateField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"payout {self.amount_cents} for booking {self.booking_id}"


class Message(models.Model):
    """A message between the guest and the host about one booking."""

    class Sender(models.TextChoices):
        GUEST = "guest", "Guest"
        HOST = "host", "Host"

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="messages")
    sender = models.CharField(max_length=5, choices=Sender.choices)
    body = models.TextField(max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.sender}: {self.body[:40]}"


class Review(models.Model):
    """A guest's review of their stay, possible once the stay is over; shown once approved."""

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting moderation"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    booking = models.OneToOneField(Booking, on_delete=models.CASCADE, related_name="review")
    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    body = models.TextField(max_length=4000)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.rating}★ {self.property_id}"


# A model of this app in its own module (the search index's change log).
from rentals.changes import AvailabilityChange as AvailabilityChange  # noqa: E402
