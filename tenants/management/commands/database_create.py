"""Idempotent: the database in DATABASE_URL, created when the server does not have it yet."""

from typing import Any

import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tenants.database import database_create_if_missing


class Command(BaseCommand):
    help = "Create the PostgreSQL database named in DATABASE_URL if it does not exist (before the first migrate)."
    requires_system_checks: list[str] = []  # the checks may need the database this creates

    def handle(self, *args: Any, **options: Any) -> None:
        db = settings.DATABASES["default"]
        try:
            created = database_create_if_missing(db)
        except psycopg.Error as e:  # the server is down, or the role may not create databases
            raise CommandError(f"could not create database {db['NAME']!r}: {e}") from e
        self.stdout.write(f"database {db['NAME']}: {'created' if created else 'exists'}")
