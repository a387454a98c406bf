"""``manage.py site_provision``: create a site from the shell, as the wizard's launch does
(all or nothing, with the same steps and checks), printing each step as it runs."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.mls_sources import source_ids
from tenants.provisioning import ProvisioningError, SiteImages
from tenants.services import SiteBrandingInput, SiteInput, SiteOwnerInput, site_domain, tenant_create
from themes.images import LOGO, PHOTO, image_open_checked, logo_prepare, photo_prepare
from themes.presets import PRESETS


class Command(BaseCommand):
    help = "Provision a new agent site (schema, domain, pages, branding, owner), all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--subdomain", required=True)
        parser.add_argument("--name", required=True, help="The site's name")
        parser.add_argument("--owner-email", required=True, help="The site's owner (an editor of that site only)")
        parser.add_argument("--owner-name", default="")
        parser.add_argument("--mls", action="append", help="MLS feed ids (repeat); default every configured feed")
        parser.add_argument("--preset", choices=sorted(PRESETS), default="classic")
        parser.add_argument("--primary-color", default="")
        parser.add_argument("--accent-color", default="")
        parser.add_argument("--tagline", default="")
        parser.add_argument("--logo", type=Path, help="A PNG, JPEG or WebP logo (checked as uploads are)")
        parser.add_argument("--photo", type=Path, help="The agent's photo")

    def _images(self, options: dict[str, Any]) -> SiteImages:
        logo = favicon = photo = None
        if options["logo"]:
            image = image_open_checked(data=options["logo"].read_bytes(), filename=options["logo"].name, rules=LOGO)
            logo, favicon = logo_prepare(image)
        if options["photo"]:
            image = image_open_checked(data=options["photo"].read_bytes(), filename=options["photo"].name, rules=PHOTO)
            photo = photo_prepare(image)
        return SiteImages(logo_png=logo, favicon_png=favicon, photo_jpeg=photo)

    def handle(self, *args: Any, **options: Any) -> None:
        preset = PRESETS[options["preset"]]
        unknown = set(options["mls"] or ()) - set(source_ids())
        if unknown:
            raise CommandError(f"unknown MLS feeds {sorted(unknown)}; configured: {source_ids()}")
        site = SiteInput(
            name=options["name"],
            subdomain=options["subdomain"],
            branding=SiteBrandingInput(
                site_name=options["name"],
                preset=preset.key,
                primary_color=options["primary_color"] or preset.primary_color,
                accent_color=options["accent_color"] or preset.accent_color,
                font=preset.font,
                tagline=options["tagline"],
                agent_name=options["owner_name"],
                contact_email=options["owner_email"],
            ),
            owner=SiteOwnerInput(email=options["owner_email"], password=None, full_name=options["owner_name"]),
            mls_sources=options["mls"] or source_ids(),
        )
        started = time.perf_counter()

        def report(step: str) -> None:
            self.stdout.write(f"  {time.perf_counter() - started:6.2f}s  {step}")

        try:
            images = self._images(options)
            tenant = tenant_create(site=site, images=images, progress=report, verify=True)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        except ProvisioningError as exc:
            raise CommandError(f"failed at {exc.step}: {exc.message} (nothing was kept)") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"site {tenant.slug} (schema {tenant.schema_name}) live at "
                f"http://{site_domain(subdomain=tenant.slug)}/ in {time.perf_counter() - started:.2f}s"
            )
        )
