"""``{{ value|thousands }}``: a whole number with thousands commas ("1,234,568"), the same text as
Django's ``{{ value|floatformat:"0g" }}`` on these English-only sites (rounded half up; "" for
what is not a number).

Prices, areas and counts are printed on every listing card and page: ``floatformat`` spent most
of its time on Decimal context and locale-format lookups per call (2.6 % of the web workers' CPU
in the mixed benchmark's sampled run, docs/benchmarks.md session 8); this does the same in a few
microseconds. ``themes/tests/test_numbers.py`` compares the two over many values.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import template
from django.template.defaultfilters import floatformat

register = template.Library()
_ONE = Decimal(1)


@register.filter(is_safe=True)
def thousands(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return "" if value is None else str(int(value))
    try:
        number = (
            value if isinstance(value, Decimal) else Decimal(repr(value) if isinstance(value, float) else str(value))
        )
    except (InvalidOperation, ValueError, TypeError):
        return ""
    if not number.is_finite():
        return str(floatformat(value, "0g"))  # "inf", "nan": never a price, but the same text
    whole = int(number.quantize(_ONE, rounding=ROUND_HALF_UP))
    return f"{whole:,}"
