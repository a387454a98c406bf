"""Run before ``migrate_schemas --shared`` on every deploy: a no-op on a healthy database."""

from typing import Any

from django.core.management.base import BaseCommand

from tenants.migration_repair import shared_ghost_apps_repair


class Command(BaseCommand):
    help = (
        "Apps that joined the public schema after this database was created (recorded as migrated, "
        "tables never made): run their migrations there. Safe to run on every deploy."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        repaired = shared_ghost_apps_repair()
        if repaired:
            self.stdout.write(self.style.SUCCESS(f"public schema: ran the migrations of {', '.join(repaired)}"))
        elif options["verbosity"] > 1:
            self.stdout.write("public schema: nothing to repair")
