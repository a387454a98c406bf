"""Idempotent: the public tenant with the flagship's domains, and the site template schema."""

from typing import Any

from django.core.management.base import BaseCommand

from tenants.services import tenant_public_ensure, tenant_template_ensure


class Command(BaseCommand):
    help = "Create the public tenant (flagship + network) and the migrated template schema sites are cloned from."

    def handle(self, *args: Any, **options: Any) -> None:
        public = tenant_public_ensure()
        template = tenant_template_ensure()
        self.stdout.write(self.style.SUCCESS(f"public tenant: {public.name}; template schema: {template.schema_name}"))
