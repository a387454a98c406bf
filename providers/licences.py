"""Licence number formats, checked at sign-up (the number itself is verified by an admin
against the public registries: NMLS Consumer Access, CSLB licence check, DRE lookup)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

from providers.models import LicenceKind

# NMLS unique identifiers are whole numbers (1 to 10 digits in use); CSLB licence numbers are
# up to 8 digits (6–7 today); DRE licence numbers are 8 digits, often written with a leading 0.
_FORMATS = {
    LicenceKind.NMLS: (re.compile(r"^\d{1,10}$"), "An NMLS ID is a number of up to 10 digits, like 1234567."),
    LicenceKind.CSLB: (re.compile(r"^\d{5,8}$"), "A CSLB licence number has 5 to 8 digits, like 1012345."),
    LicenceKind.DRE: (re.compile(r"^\d{8}$"), "A DRE licence number has 8 digits, like 01234567."),
}
_PREFIX = re.compile(r"^(?:(?:nmls|cslb|dre|lic(?:ense|ence)?\.?|id|no\.?|number|#|:)\s*)*", re.I)


def licence_normalise(*, kind: str, value: str) -> str:
    """``"NMLS #1234567"`` → ``"1234567"``; ``ValidationError`` when the format is wrong."""
    value = (value or "").strip()
    if kind not in _FORMATS:
        return value[:20]
    digits = _PREFIX.sub("", value).replace(" ", "").replace("-", "")
    pattern, message = _FORMATS[LicenceKind(kind)]
    if not pattern.fullmatch(digits):
        raise ValidationError(message)
    return digits
