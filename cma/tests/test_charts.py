"""The report's schematic comps map draws for any spread of comps: a block's worth (where a
scale bar from tick marks once found no second tick and the PDF answered 500) to many miles."""

from __future__ import annotations

import re

import pytest

from cma.charts import comps_map_svg


@pytest.mark.parametrize("offset", [0.0, 0.0004, 0.002, 0.01, 0.2])
def test_the_comps_map_has_a_scale_bar_within_the_map(offset: float) -> None:
    subject = {"lat": 33.8, "lon": -116.5}
    comps = [{"lat": 33.8 + offset, "lon": -116.5 - offset, "key": str(i)} for i in range(3)]
    svg = comps_map_svg({"subject": subject, "comps": comps})
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    miles = re.findall(r"([0-9.]+) mi<", svg)
    assert miles, svg
