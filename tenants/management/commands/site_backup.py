"""``manage.py site_backup <site>`` (or ``--network``, or ``--all``): archives in ``--out``.

manage.py site_backup sarah --out /var/backups/chatrealty
manage.py site_backup --all --out /var/backups/chatrealty --keep-days 7   # the daily job
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.backups import BackupError, backups_prune, site_backup
from tenants.models import Tenant


class Command(BaseCommand):
    help = "Back up one site (schema, media, network records), the network, or all of them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("site", nargs="?", help="the site's slug (its subdomain)")
        parser.add_argument("--network", action="store_true", help="the network: the public schema and its media")
        parser.add_argument("--all", action="store_true", help="the network and every site")
        parser.add_argument("--out", default=str(Path(settings.BASE_DIR) / "var" / "backups"), help="directory")
        parser.add_argument("--keep-days", type=int, default=0, help="then delete archives older than this")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        if options["all"]:
            slugs: list[str | None] = [
                None,
                *Tenant.objects.filter(kind=Tenant.Kind.AGENT_SITE).values_list("slug", flat=True),
            ]
        elif options["network"]:
            slugs = [None]
        elif options["site"]:
            slugs = [options["site"]]
        else:
            raise CommandError("Name a site, or give --network or --all.")
        failed = []
        for slug in slugs:
            try:
                path = site_backup(slug=slug, out_dir=out)
            except BackupError as exc:
                failed.append(slug or "network")
                self.stderr.write(f"{slug or 'network'}: {exc}")
                continue
            self.stdout.write(f"{slug or 'network'}: {path} ({path.stat().st_size:,} bytes)")
        if options["keep_days"]:
            for path in backups_prune(out_dir=out, keep_days=options["keep_days"]):
                self.stdout.write(f"pruned {path.name}")
        if failed:
            raise CommandError(f"Backups failed: {', '.join(failed)}")
