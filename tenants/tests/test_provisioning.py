"""Provisioning is all or nothing: a failure injected at any step leaves no schema, Tenant or
Domain row, Wagtail site or media folder behind, and the same address can be provisioned
right after. ``manage.py site_provision`` does the same from the shell."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django_tenants.utils import schema_context
from PIL import Image

from tenants import provisioning
from tenants.provisioning import ProvisioningError, SiteImages, provisioning_leftovers
from tenants.services import SiteBrandingInput, SiteInput, SiteOwnerInput, tenant_create

STEP_NAMES = [name for name, _ in provisioning.STEPS] + ["live"]


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (320, 160), "#0f766e").save(out, "PNG")
    return out.getvalue()


def _site(subdomain: str) -> SiteInput:
    return SiteInput(
        name="Rollback Homes",
        subdomain=subdomain,
        branding=SiteBrandingInput(site_name="Rollback Homes", preset="luxury", tagline="Nothing half-made"),
        owner=SiteOwnerInput(email="owner@example.com", password=None, full_name="Owner"),
        mls_sources=["gps"],
    )


@pytest.mark.parametrize("step", STEP_NAMES)
def test_a_failure_at_any_step_leaves_nothing_behind(db: None, monkeypatch: pytest.MonkeyPatch, step: str) -> None:
    images = SiteImages(logo_png=_png(), favicon_png=_png())
    subdomain = f"fail-{step}"
    if step == "live":
        monkeypatch.setattr(provisioning, "site_answers", lambda **_: False)
    else:

        def boom(run: Any) -> None:
            raise RuntimeError(f"injected failure at {step}")

        monkeypatch.setattr(provisioning, "STEPS", [(n, boom if n == step else f) for n, f in provisioning.STEPS])
    with pytest.raises(ProvisioningError) as failed:
        tenant_create(site=_site(subdomain), images=images, verify=True)
    assert failed.value.step == step and failed.value.message
    assert provisioning_leftovers(subdomain=subdomain) == {
        "tenant": False,
        "domain": False,
        "schema": False,
        "media": False,
    }
    monkeypatch.undo()
    tenant = tenant_create(site=_site(subdomain), images=images, verify=True)
    with schema_context(tenant.schema_name):
        from wagtail.models import Site

        from themes.models import SiteBranding

        site = Site.objects.get()
        assert site.hostname == f"{subdomain}.localhost"
        branding = SiteBranding.for_site(site)
        assert branding.preset == "luxury" and branding.logo_id and branding.favicon_id
    assert provisioning_leftovers(subdomain=subdomain)["media"]


def test_site_provision_command(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    call_command(
        "site_provision",
        "--subdomain",
        "shell-made",
        "--name",
        "Shell Made Homes",
        "--owner-email",
        "shell@example.com",
        "--mls",
        "gps",
        "--preset",
        "modern",
        "--primary-color",
        "#0f766e",
    )
    out = capsys.readouterr().out
    assert "http://shell-made.localhost" in out and "schema" in out
    with pytest.raises(CommandError, match="two hyphens"):
        call_command("site_provision", "--subdomain", "a--b", "--name", "X", "--owner-email", "x@example.com")
    with pytest.raises(CommandError, match="already taken"):
        call_command("site_provision", "--subdomain", "shell-made", "--name", "X", "--owner-email", "x@example.com")
