"""Demo marketplace (issue 17): a few verified service providers (the demo provider account's
lender among them), Sarah's recommended ones, and the demo host's vacation rentals with
photos drawn here, so the directory and rental pages of ``make demo`` are not empty.
Idempotent: rows are found again by slug."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import Role, User
from accounts.services import user_create


@dataclass(frozen=True)
class DemoProvider:
    slug: str
    company: str
    category: str
    licence: str
    email: str
    cities: tuple[str, ...]
    description: str


PROVIDERS = (
    DemoProvider(
        "desert-sun-home-loans",
        "Desert Sun Home Loans",
        "lender",
        "1234567",
        "provider@example.com",
        ("palm-springs", "cathedral-city", "rancho-mirage", "palm-desert"),
        "Purchase, jumbo and second-home loans across the valley; pre-approvals in a day.",
    ),
    DemoProvider(
        "canyon-home-inspections",
        "Canyon Home Inspections",
        "inspector",
        "",
        "inspector@example.com",
        ("palm-springs", "palm-desert", "la-quinta", "indio"),
        "Certified inspections with same-week reports, pools and roofs included.",
    ),
    DemoProvider(
        "oasis-escrow",
        "Oasis Escrow",
        "escrow",
        "",
        "escrow@example.com",
        ("palm-springs", "palm-desert", "la-quinta", "rancho-mirage", "indian-wells"),
        "Independent escrow for buyers and sellers in the Coachella Valley since 1998.",
    ),
    DemoProvider(
        "mesa-title",
        "Mesa Title Company",
        "title",
        "",
        "title@example.com",
        ("palm-springs", "cathedral-city", "desert-hot-springs"),
        "Title insurance and searches; fast, clear commitments.",
    ),
)
RENTALS: tuple[dict[str, Any], ...] = (
    {
        "slug": "movie-colony-pool-house",
        "title": "Movie Colony pool house",
        "city": "Palm Springs",
        "city_slug": "palm-springs",
        "address": "450 E Via Colusa",
        "latitude": 33.8344,
        "longitude": -116.5395,
        "sleeps": 6,
        "bedrooms": 3,
        "amenities": ["pool", "hot_tub", "wifi", "air_conditioning", "kitchen", "mountain_view"],
        "nightly_rate_cents": 325_00,
        "weekend_rate_cents": 425_00,
        "cleaning_fee_cents": 175_00,
        "min_nights": 2,
        "permit_number": "034567",
        "colour": (14, 116, 144),
    },
    {
        "slug": "palm-desert-golf-casita",
        "title": "Golf course casita",
        "city": "Palm Desert",
        "city_slug": "palm-desert",
        "address": "74-100 Country Club Dr",
        "latitude": 33.7500,
        "longitude": -116.3800,
        "sleeps": 4,
        "bedrooms": 2,
        "amenities": ["pool", "wifi", "air_conditioning", "golf", "parking"],
        "nightly_rate_cents": 185_00,
        "weekend_rate_cents": None,
        "cleaning_fee_cents": 95_00,
        "min_nights": 3,
        "permit_number": "",
        "colour": (101, 163, 13),
    },
    {
        "slug": "la-quinta-family-villa",
        "title": "La Quinta family villa",
        "city": "La Quinta",
        "city_slug": "la-quinta",
        "address": "52-000 Avenida Bermudas",
        "latitude": 33.6590,
        "longitude": -116.3110,
        "sleeps": 10,
        "bedrooms": 5,
        "amenities": ["pool", "hot_tub", "wifi", "air_conditioning", "kitchen", "bbq", "pet_friendly"],
        "nightly_rate_cents": 560_00,
        "weekend_rate_cents": 690_00,
        "cleaning_fee_cents": 300_00,
        "min_nights": 3,
        "permit_number": "",
        "colour": (194, 65, 12),
    },
)


def _owner(email: str, role: str) -> User:
    from devtools.demo.network import DEMO_PASSWORD

    user = User.objects.filter(email=email).first()
    if user is None:
        user = user_create(email=email, password=DEMO_PASSWORD, role=role, email_verified=True)
    return user


def _photo(colour: tuple[int, int, int], label: str) -> SimpleUploadedFile:
    """A drawn stand-in photo: sky, sun, a house and a pool, in the home's colour."""
    image = Image.new("RGB", (1200, 900), (186, 230, 253))
    draw = ImageDraw.Draw(image)
    draw.ellipse((880, 90, 1020, 230), fill=(253, 224, 71))
    draw.rectangle((0, 560, 1200, 900), fill=(214, 211, 209))
    draw.rectangle((260, 330, 940, 620), fill=colour)
    draw.polygon([(220, 340), (600, 170), (980, 340)], fill=(68, 64, 60))
    draw.rectangle((360, 660, 840, 800), fill=(56, 189, 248))
    draw.text((40, 40), label, fill=(30, 41, 59))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return SimpleUploadedFile(f"{label}.jpg", out.getvalue(), content_type="image/jpeg")


def _providers() -> list[Any]:
    from providers.models import Category, Provider

    made = []
    now = timezone.now()
    for p in PROVIDERS:
        owner = _owner(p.email, Role.SERVICE_PROVIDER)
        provider, _ = Provider.objects.update_or_create(
            slug=p.slug,
            defaults={
                "owner": owner,
                "company": p.company,
                "category": Category.objects.get(slug=p.category),
                "licence_number": p.licence,
                "description": p.description,
                "phone": "760-555-0140",
                "email": p.email,
                "cities": list(p.cities),
                "status": Provider.Status.VERIFIED,
                "verified_at": now,
            },
        )
        made.append(provider)
    return made


def _rentals(host: User) -> list[Any]:
    from rentals.hosting import photo_add
    from rentals.models import CalendarBlock, Property

    made = []
    today = timezone.localdate()
    for spec in RENTALS:
        fields = {k: v for k, v in spec.items() if k not in ("slug", "colour")}
        prop, created = Property.objects.update_or_create(
            slug=spec["slug"],
            defaults={
                **fields,
                "host": host,
                "status": Property.Status.LISTED,
                "description": f"{spec['title']}: a demo home in {spec['city']}, walls of glass and desert light.",
                "house_rules": "No parties. Quiet hours 10pm–8am.",
            },
        )
        if created or not prop.photos.exists():
            for label in ("Front", "Pool", "Living room"):
                photo_add(prop=prop, upload=_photo(spec["colour"], f"{spec['title']} - {label}"), caption=label)
        if created:
            start = today + dt.timedelta(days=10)
            CalendarBlock.objects.create(
                property=prop, period=(start, start + dt.timedelta(days=4)), kind=CalendarBlock.Kind.BLOCKED
            )
        made.append(prop)
    return made


@transaction.atomic
def demo_marketplace_ensure() -> list[tuple[str, str, str]]:
    """Verified providers, Sarah's recommendations and the demo host's listed homes; returns
    (host, email, what) rows for the demo's summary."""
    from providers.services import recommendations_set

    providers = _providers()
    recommendations_set(site_schema="sarah", provider_ids=[providers[0].pk, providers[1].pk])
    host = _owner("host@example.com", Role.VACATION_RENTAL_HOST)
    homes = _rentals(host)
    rows = [("localhost", p.email, f"service provider: {p.company} (verified)") for p in providers]
    rows.append(("localhost", host.email, f"rental host: {len(homes)} listed homes (/rentals/)"))
    return rows
