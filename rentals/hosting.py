"""Writes for hosts and guests outside payment: properties, photos, rates, blocked dates,
calendar feeds, messages, reviews."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Role
from marketplace import city_choices
from marketplace.media import image_open, image_store
from rentals import notifications
from rentals.calendars import feed_url_validate
from rentals.models import (
    Booking,
    CalendarBlock,
    CalendarFeed,
    CityRule,
    Message,
    Photo,
    Property,
    Review,
    SeasonalRate,
)

PHOTO_SIZES = {"large": (1600, 1200), "thumb": (480, 360)}
MAX_PHOTOS = 30
PROPERTY_FIELDS = (
    "title",
    "description",
    "house_rules",
    "address",
    "city",
    "latitude",
    "longitude",
    "sleeps",
    "bedrooms",
    "bathrooms",
    "amenities",
    "nightly_rate_cents",
    "weekend_rate_cents",
    "cleaning_fee_cents",
    "min_nights",
    "cancellation_policy",
    "permit_number",
)


def rental_cities() -> dict[str, str]:
    """Cities a home can be in: the listings store's, and those with a rental rule."""
    cities = city_choices()
    for slug, name in CityRule.objects.values_list("city_slug", "name"):
        cities.setdefault(slug, name)
    return dict(sorted(cities.items(), key=lambda item: item[1]))


def _unique_slug(title: str, city: str, pk: Any) -> str:
    base = slugify(f"{title} {city}")[:120] or "home"
    slug, n = base, 1
    while Property.objects.filter(slug=slug).exclude(pk=pk).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def property_save(*, host: Any, data: dict[str, Any], prop: Property | None = None) -> Property:
    """Create or update a host's home, validated as a whole; the city's rule decides whether
    a permit number is required (Palm Springs: yes)."""
    prop = prop or Property(host=host)
    for field in PROPERTY_FIELDS:
        if field in data:
            setattr(prop, field, data[field])
    prop.city_slug = slugify(prop.city)
    rule = CityRule.objects.filter(city_slug=prop.city_slug).first()
    errors: dict[str, list[str]] = {}
    if rule and rule.permit_required and not prop.permit_number.strip():
        errors["permit_number"] = [f"{rule.name} requires a short-term rental permit number for every listing."]
    if prop.weekend_rate_cents == 0:
        prop.weekend_rate_cents = None
    prop.slug = prop.slug or _unique_slug(prop.title, prop.city, prop.pk)
    try:
        prop.full_clean(exclude=["host", "slug", "ical_token"])
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    if host.role not in (Role.VACATION_RENTAL_HOST, Role.SUPERADMIN, Role.ADMIN):
        host.role = Role.VACATION_RENTAL_HOST
        host.save(update_fields=["role"])
    prop.save()
    return prop


def property_publish(*, prop: Property, listed: bool) -> Property:
    if listed and not prop.photos.exists():
        raise ValidationError("Add at least one photo before listing this home.")
    prop.status = Property.Status.LISTED if listed else Property.Status.PAUSED
    prop.save(update_fields=["status", "updated_at"])
    return prop


def photo_add(*, prop: Property, upload: Any, caption: str = "") -> Photo:
    if prop.photos.count() >= MAX_PHOTOS:
        raise ValidationError(f"A home can have at most {MAX_PHOTOS} photos.")
    image = image_open(upload)
    stored = image_store(image, folder=f"rentals/{prop.pk}", sizes=PHOTO_SIZES)
    position = (prop.photos.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    return Photo.objects.create(
        property=prop, large=stored["large"], thumb=stored["thumb"], caption=caption[:140], position=position
    )


def photo_delete(*, photo: Photo) -> None:
    for field in (photo.large, photo.thumb):
        field.storage.delete(field.name)
    photo.delete()


def season_add(*, prop: Property, data: dict[str, Any]) -> SeasonalRate:
    season = SeasonalRate(property=prop, **data)
    season.full_clean()
    if season.end < season.start:
        raise ValidationError({"end": ["The season must end on or after its start."]})
    season.save()
    return season


def dates_block(*, prop: Property, start: dt.date, end: dt.date, note: str = "") -> CalendarBlock:
    """The host takes nights [start, end) off the calendar; refused if any is booked or held."""
    if end <= start:
        raise ValidationError("The last night must be on or after the first.")
    try:
        with transaction.atomic():
            return CalendarBlock.objects.create(
                property=prop, period=(start, end), kind=CalendarBlock.Kind.BLOCKED, note=note[:200]
            )
    except IntegrityError:
        raise ValidationError("Some of these nights are already booked or blocked.") from None


def block_remove(*, prop: Property, block_id: int) -> bool:
    deleted, _ = CalendarBlock.objects.filter(property=prop, pk=block_id, kind=CalendarBlock.Kind.BLOCKED).delete()
    return bool(deleted)


def feed_add(*, prop: Property, name: str, url: str) -> CalendarFeed:
    feed_url_validate(url)
    feed, _ = CalendarFeed.objects.get_or_create(property=prop, url=url, defaults={"name": name[:60] or "Calendar"})
    return feed


def message_post(*, booking: Booking, sender: str, body: str) -> Message:
    body = body.strip()
    if not body:
        raise ValidationError("Write a message first.")
    if len(body) > 4000:
        raise ValidationError("Messages are at most 4,000 characters.")
    message = Message.objects.create(booking=booking, sender=sender, body=body)
    transaction.on_commit(lambda: notifications.message_posted(booking_id=booking.pk, sender=sender))
    return message


def review_submit(*, booking: Booking, rating: int, body: str, today: dt.date | None = None) -> Review:
    """Only a confirmed stay that is over can be reviewed, once."""
    today = today or timezone.localdate()
    if booking.status != Booking.Status.CONFIRMED or today < booking.check_out:
        raise ValidationError("You can review your stay once it is over.")
    if Review.objects.filter(booking=booking).exists():
        raise ValidationError("You have already reviewed this stay.")
    review = Review(booking=booking, property=booking.property, rating=rating, body=body.strip())
    review.full_clean()
    review.save()
    return review


def review_moderate(*, review: Review, approve: bool) -> Review:
    review.status = Review.Status.APPROVED if approve else Review.Status.REJECTED
    review.save(update_fields=["status"])
    return review
