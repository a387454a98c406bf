"""python manage.py mls_ensure_indexes [--no-geo]: create the listings store's indexes."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mls_sync.services import store_indexes_ensure


class Command(BaseCommand):
    help = "Create the MongoDB indexes of the listings store (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-geo", action="store_true", help="skip the 2dsphere location index")

    def handle(self, *args: Any, no_geo: bool, **options: Any) -> None:
        names = store_indexes_ensure(geo=False if no_geo else None)
        self.stdout.write(f"indexes ensured: {', '.join(sorted(set(names)))}")
