"""The demo network: two agent sites with their own branding and one account per role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django_tenants.utils import schema_context

from accounts.models import Role, User
from accounts.services import user_create
from cms.seeding import community_index_ensure
from tenants.models import AgentProfile, Tenant
from tenants.services import SiteBrandingInput, SiteInput, SiteOwnerInput, site_domain, tenant_create

DEMO_PASSWORD = "demo-pass-2026"


@dataclass(frozen=True)
class DemoAccount:
    site: str  # "public" or a subdomain
    email: str
    role: str
    is_staff: bool = False
    is_superuser: bool = False
    license_number: str = ""
    brokerage: str = ""
    group: str = ""  # a group of its schema, e.g. the flagship's editors


DEMO_SITES = [
    SiteInput(
        name="Sarah Chen Real Estate",
        subdomain="sarah",
        branding=SiteBrandingInput(
            site_name="Sarah Chen Real Estate",
            tagline="Palm Springs mid-century and desert modern homes",
            primary_color="#9f1239",
            accent_color="#d97706",
            logo_text="SC",
            font="lora",
            agent_name="Sarah Chen",
            license_number="DRE #01987654",
            brokerage="Desert Modern Realty",
            contact_email="sarah@example.com",
            contact_phone="(760) 555-0142",
        ),
        owner=SiteOwnerInput(
            email="sarah@example.com",
            password=None,
            full_name="Sarah Chen",
            license_number="DRE #01987654",
            brokerage="Desert Modern Realty",
        ),
        mls_sources=["gps"],
        featured_subdivisions=["Movie Colony", "Old Las Palmas", "Deepwell Estates"],
    ),
    SiteInput(
        name="Mike Alvarez Homes",
        subdomain="mike",
        branding=SiteBrandingInput(
            site_name="Mike Alvarez Homes",
            tagline="Inland Empire and Orange County homes",
            primary_color="#1e40af",
            accent_color="#059669",
            logo_text="MA",
            font="montserrat",
            agent_name="Mike Alvarez",
            license_number="DRE #02034567",
            brokerage="Coastline Realty Group",
            contact_email="mike@example.com",
            contact_phone="(951) 555-0177",
        ),
        owner=SiteOwnerInput(
            email="mike@example.com",
            password=None,
            full_name="Mike Alvarez",
            license_number="DRE #02034567",
            brokerage="Coastline Realty Group",
        ),
        mls_sources=["crmls", "gps"],
        featured_subdivisions=["Temecula Wine Country"],
    ),
]


@dataclass(frozen=True)
class DemoCommunity:
    """An editor-written community page of a demo site: a city (and optionally one of its
    subdivisions) the generated feed has for the site's MLS sources (devtools/spark/feed/geography.py)."""

    city: str
    introduction: str
    paragraphs: tuple[str, ...]
    subdivision: str = ""
    subdivision_introduction: str = ""
    subdivision_paragraphs: tuple[str, ...] = ()


DEMO_COMMUNITIES: dict[str, list[DemoCommunity]] = {
    "sarah": [
        DemoCommunity(
            city="Palm Springs",
            introduction="Mid-century modern architecture, mountain views and 350 days of sunshine.",
            paragraphs=(
                "Palm Springs is where desert modernism was born: Albert Frey, William Krisel and "
                "Donald Wexler built the post-and-beam homes, butterfly roofs and breeze-block walls "
                "buyers still fly in for.",
                "Expect a pool in most yards, and check whether the lot is on leased Agua Caliente land: "
                "it lowers the price and changes the financing.",
            ),
            subdivision="Movie Colony",
            subdivision_introduction="Old Hollywood's winter hideaway, a short walk from downtown.",
            subdivision_paragraphs=(
                "Walled estates and 1930s Spanish revivals sit next to some of the best-preserved "
                "mid-century homes in town, on quiet streets lined with citrus.",
            ),
        ),
    ],
    "mike": [
        DemoCommunity(
            city="Temecula",
            introduction="Wine country, good schools and newer homes at Inland Empire prices.",
            paragraphs=(
                "Temecula's master-planned neighbourhoods (Redhawk, Wolf Creek, Paloma del Sol) have "
                "parks, pools and K-8 schools inside them; most carry an HOA and Mello-Roos, so compare "
                "the monthly cost, not only the price.",
            ),
        ),
    ],
}


def _paragraphs(texts: tuple[str, ...]) -> list[tuple[str, Any]]:
    from wagtail.rich_text import RichText

    return [("paragraph", RichText(f"<p>{text}</p>")) for text in texts]


def demo_community_pages_ensure(*, subdomain: str) -> None:
    """The demo site's community index and its editor-written city and subdivision pages
    (run in the site's schema; idempotent). The demo seeds before its first MLS sync, so the
    store is not asked whether the cities exist: they come from the generated feed's geography."""
    from cms.models import CityPage, HomePage, SubdivisionPage, community_store_check_skipped
    from listings.readmodel.normalize import slugify_name

    home = HomePage.objects.first()
    if home is None:
        return
    index = community_index_ensure(home=home)
    with community_store_check_skipped():
        for item in DEMO_COMMUNITIES.get(subdomain, []):
            city_slug = slugify_name(item.city)
            city = CityPage.objects.filter(city_slug=city_slug).first()
            if city is None:
                city = CityPage(
                    title=item.city,
                    city_slug=city_slug,
                    introduction=item.introduction,
                    body=_paragraphs(item.paragraphs),
                )
                index.add_child(instance=city)
            if not item.subdivision:
                continue
            sub_slug = slugify_name(item.subdivision)
            if not SubdivisionPage.objects.filter(city_slug=city_slug, subdivision_slug=sub_slug).exists():
                city.add_child(
                    instance=SubdivisionPage(
                        title=item.subdivision,
                        subdivision_slug=sub_slug,
                        introduction=item.subdivision_introduction,
                        body=_paragraphs(item.subdivision_paragraphs),
                    )
                )


DEMO_ACCOUNTS = [
    DemoAccount("public", "superadmin@example.com", Role.SUPERADMIN, is_staff=True, is_superuser=True),
    DemoAccount("public", "admin@example.com", Role.ADMIN, is_staff=True),
    DemoAccount("public", "agent@example.com", Role.AGENT, license_number="DRE #01234567", brokerage="eXp Realty"),
    DemoAccount("public", "buyer@example.com", Role.END_USER),
    # Edits the flagship's pages in http://localhost:8000/cms/ (no platform role, no /admin/).
    DemoAccount("public", "editor@example.com", Role.END_USER, group="Flagship editors"),
    # One of the flagship brokerage's agents: its CRM at http://localhost:8000/crm/ (leads routed
    # to them); superadmin@example.com, the flagship's owner, sees every lead there.
    DemoAccount(
        "public",
        "flagship-agent@example.com",
        Role.AGENT,
        license_number="DRE #07654321",
        brokerage="JPS Realtor",
        group="Flagship agents",
    ),
    DemoAccount("public", "provider@example.com", Role.SERVICE_PROVIDER),
    DemoAccount("public", "host@example.com", Role.VACATION_RENTAL_HOST),
    DemoAccount("sarah", "buyer@example.com", Role.END_USER),
    DemoAccount("mike", "buyer@example.com", Role.END_USER),
]


def _ensure_account(account: DemoAccount) -> User:
    user = User.objects.filter(email=account.email).first()
    if user is None:
        user = user_create(
            email=account.email,
            password=DEMO_PASSWORD,
            role=account.role,
            is_staff=account.is_staff,
            is_superuser=account.is_superuser,
            license_number=account.license_number,
            brokerage=account.brokerage,
            email_verified=True,
        )
    if account.group:
        from django.contrib.auth.models import Group

        user.groups.add(Group.objects.get(name=account.group))
    return user


@transaction.atomic
def demo_network_create() -> list[tuple[str, str, str]]:
    """Create (or keep) the demo sites and accounts; returns (site host, email, role) rows."""
    rows: list[tuple[str, str, str]] = []
    for site in DEMO_SITES:
        if not Tenant.objects.filter(slug=site.subdomain).exists():
            tenant_create(site=site)
        tenant = Tenant.objects.get(slug=site.subdomain)
        assert site.owner is not None
        with schema_context(tenant.schema_name):
            owner = User.objects.get(email=site.owner.email)
            owner.set_password(DEMO_PASSWORD)
            owner.save(update_fields=["password"])
            demo_community_pages_ensure(subdomain=site.subdomain)
        rows.append((site_domain(subdomain=site.subdomain), site.owner.email, "agent (site owner)"))
    for account in DEMO_ACCOUNTS:
        schema = "public" if account.site == "public" else Tenant.objects.get(slug=account.site).schema_name
        with schema_context(schema):
            user = _ensure_account(account)
            if account.role == Role.AGENT and account.site == "public":
                AgentProfile.objects.get_or_create(
                    user=user,
                    defaults={
                        "display_name": "Demo Agent",
                        "license_number": account.license_number,
                        "brokerage": account.brokerage,
                    },
                )
        host = "localhost" if account.site == "public" else site_domain(subdomain=account.site)
        rows.append((host, account.email, account.role))
    return rows
