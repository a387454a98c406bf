from __future__ import annotations

import re

from django.core.exceptions import ValidationError

SUBDOMAIN_RE = re.compile(r"^[a-z][a-z0-9-]{1,29}[a-z0-9]$")
RESERVED_SUBDOMAINS = frozenset(
    {
        "www",
        "app",
        "api",
        "admin",
        "cms",
        "mail",
        "static",
        "media",
        "public",
        "network",
        "billing",
        "status",
        "help",
        "support",
        "docs",
        "blog",
        "dev",
        "staging",
        "test",
        "template",
        "tenant-template",
    }
)


def validate_subdomain(value: str) -> None:
    if not SUBDOMAIN_RE.match(value):
        raise ValidationError(
            "Use 3-31 lowercase letters, digits or hyphens, starting with a letter.", code="invalid_subdomain"
        )
    if value in RESERVED_SUBDOMAINS:
        raise ValidationError("That address is reserved; choose another.", code="reserved_subdomain")
