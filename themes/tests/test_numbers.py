"""``|thousands`` (themes/templatetags/numbers.py) prints what ``|floatformat:"0g"`` prints."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from django.template import Context, Template
from django.template.defaultfilters import floatformat

from themes.templatetags.numbers import thousands

rng = random.Random(11)
VALUES: list[Any] = [
    0,
    7,
    999,
    1000,
    -1234,
    1234567,
    12345678901,
    0.5,
    1.5,
    2.5,
    -2.5,
    -0.4,
    999.5,
    1234.49,
    1234.5,
    1e16,
    Decimal("1234.5"),
    Decimal("-0.5"),
    Decimal("1E+3"),
    "1850000",
    "1850000.5",
    " 42 ",
    "",
    "abc",
    None,
    [1],
    True,
    float("inf"),
    float("nan"),
    -0.0,
    *[rng.uniform(-1e7, 1e7) for _ in range(300)],
    *[rng.randint(0, 5_000_000) for _ in range(300)],
    *[round(rng.uniform(0, 1e6), 2) for _ in range(300)],
]


def test_thousands_prints_what_floatformat_0g_prints() -> None:
    differ = [(v, thousands(v), str(floatformat(v, "0g"))) for v in VALUES if thousands(v) != str(floatformat(v, "0g"))]
    assert differ == []
    assert len(VALUES) > 900


def test_templates_load_it() -> None:
    page = Template("{% load numbers %}${{ price|thousands }} · {{ missing|thousands }}.")
    assert page.render(Context({"price": 1849999.5})) == "$1,850,000 · ."
