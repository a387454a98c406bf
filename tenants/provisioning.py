"""Provisioning a site in named steps, all or nothing.

The steps run in one database transaction: PostgreSQL DDL is transactional, so a failure at any
step rolls back the cloned schema, the Tenant and Domain rows, the Wagtail Site, pages, branding
and owner together. Files are the one thing a transaction cannot take back: a failed run deletes
the site's media folder when it created it. The last step, after the commit, asks the new site
for its home page through the app's own request handler; if it does not answer with its
branding, the site is removed again (schema dropped, rows deleted) and the run fails.

Progress is reported per step (``progress(step)``) so the wizard can show it while the
transaction is still open.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django_tenants.utils import schema_context, schema_exists

from core.tenancy import use_public_schema
from tenants.models import Domain, Tenant
from themes.site_images import site_branding_images_set

if TYPE_CHECKING:
    from tenants.services import SiteInput

logger = logging.getLogger(__name__)
Progress = Callable[[str], None]


@dataclass(frozen=True)
class SiteImages:
    """Prepared image bytes (``themes.images``) to become the site's Wagtail images."""

    logo_png: bytes | None = None
    favicon_png: bytes | None = None
    photo_jpeg: bytes | None = None


class ProvisioningError(Exception):
    """Provisioning stopped at ``step``; nothing of the site was kept."""

    def __init__(self, step: str, message: str) -> None:
        super().__init__(message)
        self.step = step
        self.message = message


@dataclass
class _Run:
    site: SiteInput
    images: SiteImages
    tenant: Tenant | None = None
    domain: Domain | None = None
    timings: dict[str, float] = field(default_factory=dict)


def _check(run: _Run) -> None:
    from tenants.services import site_domain
    from tenants.validators import validate_subdomain

    validate_subdomain(run.site.subdomain)
    taken = Tenant.objects.filter(slug=run.site.subdomain).exists() or schema_exists(
        run.site.subdomain.replace("-", "_")
    )
    if taken or Domain.objects.filter(domain=site_domain(subdomain=run.site.subdomain)).exists():
        raise ValidationError({"subdomain": "That address is already taken."})


def _schema(run: _Run) -> None:
    site = run.site
    tenant = Tenant(
        schema_name=site.subdomain.replace("-", "_"),
        slug=site.subdomain,
        name=site.name,
        kind=Tenant.Kind.AGENT_SITE,
        mls_sources=site.mls_sources,
        featured_subdivisions=site.featured_subdivisions,
        owner=site.owner_user,
    )
    tenant.full_clean(exclude=["owner"])
    tenant.save(verbosity=0)  # clones the template schema
    run.tenant = tenant


def _domain(run: _Run) -> None:
    from tenants.services import site_domain

    assert run.tenant is not None
    run.domain = Domain.objects.create(
        domain=site_domain(subdomain=run.site.subdomain), tenant=run.tenant, is_primary=True
    )


def _pages(run: _Run) -> None:
    from tenants.site_setup import SiteContent, site_content_seed

    assert run.tenant is not None and run.domain is not None
    with schema_context(run.tenant.schema_name):
        site_content_seed(content=SiteContent(hostname=run.domain.domain, branding=run.site.branding, owner=None))


def _branding(run: _Run) -> None:

    assert run.tenant is not None
    images = run.images
    if not (images.logo_png or images.favicon_png or images.photo_jpeg):
        return
    with schema_context(run.tenant.schema_name):
        site_branding_images_set(logo_png=images.logo_png, favicon_png=images.favicon_png, photo_jpeg=images.photo_jpeg)


def _owner(run: _Run) -> None:
    from tenants.site_setup import site_owner_create

    assert run.tenant is not None
    if run.site.owner is None:
        return
    with schema_context(run.tenant.schema_name):
        site_owner_create(owner=run.site.owner)


STEPS: list[tuple[str, Callable[[_Run], None]]] = [
    ("check", _check),
    ("schema", _schema),
    ("domain", _domain),
    ("pages", _pages),
    ("branding", _branding),
    ("owner", _owner),
]


def _media_dir(schema_name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / schema_name


def site_remove(*, tenant: Tenant) -> None:
    """Take a site off completely: its schema, Domain rows, Tenant row and media folder."""
    from django.db import connection

    from tenants.middleware import tenant_host_cache_clear

    schema = tenant.schema_name
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Rows written earlier in this transaction may have deferred constraint checks
            # queued; PostgreSQL refuses to drop their tables until those have run.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        Domain.objects.filter(tenant=tenant).delete()
        tenant.delete(force_drop=True)
    shutil.rmtree(_media_dir(schema), ignore_errors=True)
    tenant_host_cache_clear()


def site_answers(*, tenant: Tenant, site_name: str) -> bool:
    """Whether the new site serves its home page with its own name (through the app's request
    handling: routing, middleware, Wagtail page serving and the branding)."""
    from django.test import Client  # the in-process request handler; no network needed

    domain = tenant.get_primary_domain()
    if domain is None:
        return False
    try:
        response = Client(HTTP_HOST=domain.domain).get("/")
    finally:
        use_public_schema()  # the request left the connection on the new site's schema
    return response.status_code == 200 and site_name.encode() in response.content


def site_provision_run(
    *, site: SiteInput, images: SiteImages | None = None, progress: Progress | None = None, verify: bool = True
) -> Tenant:
    """Run every step; raises ``ProvisioningError`` (step and a message for the agent) after
    undoing everything, or returns the live site."""
    run = _Run(site=site, images=images or SiteImages())
    report = progress or (lambda step: None)
    schema = site.subdomain.replace("-", "_")
    media_existed = _media_dir(schema).exists()
    step = "check"
    try:
        with transaction.atomic():
            for step, action in STEPS:
                report(step)
                started = time.perf_counter()
                action(run)
                run.timings[step] = round(time.perf_counter() - started, 4)
        use_public_schema()
        step = "live"
        report(step)
        assert run.tenant is not None
        if verify and not site_answers(tenant=run.tenant, site_name=site.branding.site_name):
            site_remove(tenant=run.tenant)
            raise ProvisioningError(step, "The new site did not answer; it was removed. Please try again.")
    except ProvisioningError:
        raise
    except Exception as exc:
        use_public_schema()
        if not media_existed:
            shutil.rmtree(_media_dir(schema), ignore_errors=True)
        logger.warning("site provisioning failed", extra={"site": site.subdomain, "step": step}, exc_info=True)
        raise ProvisioningError(step, _message(exc)) from exc
    logger.info("site provisioned", extra={"site": site.subdomain, "timings": run.timings})
    return run.tenant


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return "Something went wrong on our side. Nothing was kept, and you were not charged twice: try again."


def provisioning_leftovers(*, subdomain: str) -> dict[str, Any]:
    """What exists of a site by this address (tests of the rollback use it)."""
    from tenants.services import site_domain

    schema = subdomain.replace("-", "_")
    return {
        "tenant": Tenant.objects.filter(slug=subdomain).exists(),
        "domain": Domain.objects.filter(domain=site_domain(subdomain=subdomain)).exists(),
        "schema": schema_exists(schema),
        "media": _media_dir(schema).exists(),
    }
