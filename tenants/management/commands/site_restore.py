"""``manage.py site_restore <archive> [--as <new-site>]``: a site backup back into service.

Under its own name the site must be gone (schema and records); ``--as`` restores it beside the
original under a new subdomain (a restore drill, or a look at old data).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.backups import BackupError, site_restore


class Command(BaseCommand):
    help = "Restore a site from a site_backup archive, under its own name or a new one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="a .tar.gz written by site_backup")
        parser.add_argument("--as", dest="slug", help="the new site's slug (subdomain)")

    def handle(self, *args: Any, **options: Any) -> None:
        archive = Path(options["archive"])
        if not archive.is_file():
            raise CommandError(f"No such file: {archive}")
        try:
            restored = site_restore(archive=archive, slug=options["slug"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"restored {restored.tenant.slug} at {restored.domain}: {restored.tables} tables, "
            f"{restored.media_files} media files"
        )
