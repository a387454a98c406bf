from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from devtools.demo import DEMO_PASSWORD, demo_network_create
from devtools.demo.marketplace import demo_marketplace_ensure
from tenants.services import tenant_public_ensure, tenant_template_ensure


class Command(BaseCommand):
    help = "Create the flagship, two demo agent sites (sarah, mike) and one demo account per role."

    def handle(self, *args: Any, **options: Any) -> None:
        tenant_public_ensure()
        tenant_template_ensure()
        rows = demo_network_create()
        rows += demo_marketplace_ensure()
        port = settings.SITE_PORT_SUFFIX
        self.stdout.write(self.style.SUCCESS(f"\nDemo sites and accounts (password for all: {DEMO_PASSWORD})"))
        for host, email, role in rows:
            self.stdout.write(f"  http://{host}{port}/accounts/login/  {email:<26} {role}")
        self.stdout.write(f"  Wagtail admin of a site: http://sarah.localhost{port}/cms/  (sarah@example.com)")
        self.stdout.write(f"  Platform admin: http://localhost{port}/admin/  (superadmin@example.com)\n")
