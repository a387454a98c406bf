"""Sites of the network: one PostgreSQL schema per agent site (django-tenants)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import connection, models
from django_tenants.models import DomainMixin, TenantMixin
from django_tenants.utils import schema_exists

from core.mls_sources import source_choices, source_ids


def default_mls_sources() -> list[str]:
    """A new site shows every configured MLS until its agent narrows the list."""
    return source_ids()


class Tenant(TenantMixin):
    """An agent's white-label site, or the public schema (the flagship and the network)."""

    class Kind(models.TextChoices):
        PUBLIC = "public", "Flagship and network"
        AGENT_SITE = "agent_site", "Agent site"
        TEMPLATE = "template", "Template schema"

    class PlanStatus(models.TextChoices):
        TRIAL = "trial", "Trial"
        ACTIVE = "active", "Active"
        PAST_DUE = "past_due", "Past due"
        SUSPENDED = "suspended", "Suspended"
        CANCELED = "canceled", "Canceled"

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=63, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.AGENT_SITE)
    is_active = models.BooleanField(default=True, help_text="Public site served; off after an unpaid grace period.")
    plan_status = models.CharField(max_length=20, choices=PlanStatus.choices, default=PlanStatus.TRIAL)
    mls_sources = ArrayField(models.CharField(max_length=16, choices=source_choices), default=default_mls_sources)
    featured_subdivisions = ArrayField(models.CharField(max_length=120), default=list, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_sites"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    auto_create_schema = True
    auto_drop_schema = False

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def create_schema(self, check_if_exists: bool = False, sync_schema: bool = True, verbosity: int = 1) -> bool:
        """Clone the migrated template schema when it exists (~0.8 s), else migrate (~10 s).

        The clone copies the template's ``django_migrations`` rows, permissions and content
        types with its tables, so unlike django-tenants' default we skip the ``migrate --fake``
        pass that would only rewrite them (~0.4 s).
        """
        template = settings.TENANT_BASE_SCHEMA
        if check_if_exists and schema_exists(self.schema_name):
            return False
        if sync_schema and self.schema_name != template and schema_exists(template):
            from tenants.clone import schema_clone

            schema_clone(source=template, target=self.schema_name)
            connection.set_schema_to_public()  # type: ignore[attr-defined]
            return True
        super().create_schema(check_if_exists, sync_schema, verbosity)
        return True

    @property
    def is_public(self) -> bool:
        return self.schema_name == settings.PUBLIC_SCHEMA_NAME


class Domain(DomainMixin):
    """A host name that routes to a site (``sarah.chatrealty.io``, a custom domain)."""

    def __str__(self) -> str:
        return self.domain


class CustomDomain(models.Model):
    """A domain an agent brings to their site (``homesbysarah.com``): proven theirs by a DNS
    TXT record, then served as ``Domain`` rows for the apex and ``www``."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the DNS record"
        VERIFIED = "verified", "Connected"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="custom_domains")
    host = models.CharField(max_length=253, help_text="The apex domain, lowercase, IDNA-encoded.")
    token = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["host"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "host"], name="custom_domain_once_per_site"),
            # Only one site can ever hold a verified domain.
            models.UniqueConstraint(
                fields=["host"], condition=models.Q(status="verified"), name="custom_domain_verified_once"
            ),
        ]

    def __str__(self) -> str:
        return self.host


class AgentProfile(models.Model):
    """The licensed agent behind a site: shown on the site, required by IDX display rules."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_profile")
    tenant = models.ForeignKey(Tenant, null=True, blank=True, on_delete=models.SET_NULL, related_name="agents")
    display_name = models.CharField(max_length=120)
    license_number = models.CharField(max_length=32)
    brokerage = models.CharField(max_length=120)
    phone = models.CharField(max_length=32, blank=True)
    bio = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.display_name} ({self.license_number})"


class SiteApplication(models.Model):
    """An agent's onboarding wizard, saved step by step, until their site is live."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        CHECKOUT = "checkout", "Waiting for payment"
        PROVISIONING = "provisioning", "Being set up"
        LIVE = "live", "Live"
        FAILED = "failed", "Set-up failed"

    EDITABLE = (Status.DRAFT, Status.CHECKOUT, Status.FAILED)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="site_applications")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    data = models.JSONField(default=dict, blank=True, help_text="Validated answers, by wizard step.")
    tenant = models.OneToOneField(Tenant, null=True, blank=True, on_delete=models.SET_NULL, related_name="application")
    error = models.TextField(blank=True)
    failed_step = models.CharField(max_length=20, blank=True)
    checkout_session_id = models.CharField(max_length=255, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True, help_text="When its Agent plan was first paid for.")
    launched_at = models.DateTimeField(null=True, blank=True, help_text="When provisioning was queued.")
    live_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.data.get('site', {}).get('name', 'new site')} ({self.status})"
