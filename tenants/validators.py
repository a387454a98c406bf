"""Checks on what agents type for their site: its address (subdomain) and phone numbers."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

SUBDOMAIN_MIN, SUBDOMAIN_MAX = 3, 31
SUBDOMAIN_RE = re.compile(r"^[a-z][a-z0-9-]{1,29}[a-z0-9]$")
RESERVED_SUBDOMAINS = frozenset(
    {
        "www",
        "app",
        "api",
        "admin",
        "cms",
        "mail",
        "smtp",
        "imap",
        "ftp",
        "static",
        "media",
        "assets",
        "cdn",
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
        "demo",
        "template",
        "tenant-template",
        "localhost",
        "chatrealty",
        "jpsrealtor",
        "superadmin",
        "root",
        "login",
        "signup",
        "accounts",
        "dashboard",
        "platform",
    }
)


def validate_subdomain(value: str) -> None:
    """A DNS label we can serve and a schema name we can create: 3-31 characters, lowercase
    ASCII letters, digits and single hyphens, starting with a letter, not ending in a hyphen,
    and not one of the platform's own names. Each way to get it wrong has its own message."""
    if not isinstance(value, str) or not value:
        raise ValidationError("Choose an address for your site.", code="required")
    if not value.isascii():
        raise ValidationError(
            "Use plain letters a-z, digits and hyphens only (no accents, spaces or symbols).", code="not_ascii"
        )
    if value != value.lower():
        raise ValidationError(f"Use lowercase letters only: try “{value.lower()}”.", code="uppercase")
    if len(value) < SUBDOMAIN_MIN or len(value) > SUBDOMAIN_MAX:
        raise ValidationError(
            f"Use {SUBDOMAIN_MIN}-{SUBDOMAIN_MAX} characters (this one has {len(value)}).", code="length"
        )
    if "--" in value:
        # Two hyphens in a row are reserved in DNS labels (``xn--`` marks punycode names).
        raise ValidationError("Don't use two hyphens in a row.", code="double_hyphen")
    if not SUBDOMAIN_RE.match(value):
        raise ValidationError(
            "Use lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen.",
            code="invalid_subdomain",
        )
    if value in RESERVED_SUBDOMAINS:
        raise ValidationError("That address is reserved; choose another.", code="reserved_subdomain")


_PHONE_FORMATTING = re.compile(r"[\s().\-/]")
_EXTENSION = re.compile(r"\s*(?:x|ext\.?|extension)\s*(\d{1,6})$", re.IGNORECASE)


def normalize_phone(value: str) -> str:
    """A phone number as people write it, checked: a US number (10 digits, optionally with a
    leading 1) becomes ``(760) 555-0142``; an international one must start with ``+`` and a
    country code (8-15 digits, E.164) and keeps its digits; an extension is kept. Anything else
    (``-1``, letters, too few digits) is a ValidationError."""
    text = value.strip()
    if not text:
        return ""
    extension = ""
    if match := _EXTENSION.search(text):
        extension, text = f" x{match.group(1)}", text[: match.start()]
    compact = _PHONE_FORMATTING.sub("", text)
    international = compact.startswith("+")
    digits = compact[1:] if international else compact
    if not digits.isdigit() or not digits.isascii():
        raise ValidationError("Enter a phone number with digits, such as (760) 555-0142.", code="invalid_phone")
    if international and not digits.startswith("1"):
        if not 8 <= len(digits) <= 15 or digits.startswith("0"):
            raise ValidationError("An international number has a country code and 8-15 digits.", code="invalid_phone")
        return f"+{digits}{extension}"
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10 or digits[0] in "01" or digits[3] in "01":
        raise ValidationError("Enter a 10-digit US phone number, such as (760) 555-0142.", code="invalid_phone")
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}{extension}"


def validate_phone(value: str) -> None:
    normalize_phone(value)
