"""The demo network: two agent sites with their own branding and one account per role."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django_tenants.utils import schema_context

from accounts.models import Role, User
from accounts.services import user_create
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

DEMO_ACCOUNTS = [
    DemoAccount("public", "superadmin@example.com", Role.SUPERADMIN, is_staff=True, is_superuser=True),
    DemoAccount("public", "admin@example.com", Role.ADMIN, is_staff=True),
    DemoAccount("public", "agent@example.com", Role.AGENT, license_number="DRE #01234567", brokerage="eXp Realty"),
    DemoAccount("public", "buyer@example.com", Role.END_USER),
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
