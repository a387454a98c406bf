"""The map page's first view drawn on the server (listings/map_preview.py): the markers the map's
own cluster request returns for that view, at their pixel offsets from the centre."""

from __future__ import annotations

import math
import re
from typing import Any

import pytest

from listings.map_preview import PREVIEW_PX, TILE_PX, fit_view, short_money
from listings.map_start import view_box
from listings.tests.pages_support import pages_urls, store  # noqa: F401

pytestmark = pytest.mark.usefixtures("pages_urls", "store")

MARKER = re.compile(
    r'<span class="pv-(cluster|pin|stack)" style="left:calc\(50% \+ (-?[\d.]+)px\);top:calc\(50% \+ (-?[\d.]+)px\)[^"]*"[^>]*>([^<]*)</span>'
)


def _world_px(lng: float, lat: float, zoom: float) -> tuple[float, float]:
    world = TILE_PX * 2**zoom
    y = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    return (lng + 180) / 360 * world, (1 - y / math.pi) / 2 * world


def test_preview_draws_the_clusters_the_map_would(sarah_site: Any, site_client: Any) -> None:
    client = site_client(sarah_site)
    lng, lat, zoom = -116.45, 33.8, 10.0
    html = client.get("/map/", {"lat": str(lat), "lng": str(lng), "z": str(zoom)}).content.decode()
    drawn = MARKER.findall(html)
    box = view_box(lng, lat, zoom, PREVIEW_PX)
    bbox = f"{box.west:.6f},{box.south:.6f},{box.east:.6f},{box.north:.6f}"
    api = client.get("/api/map/clusters", {"listingType": "sale", "bbox": bbox, "zoom": str(zoom)}).json()
    clusters = [f for f in api["features"] if f["properties"].get("cluster")]
    assert clusters, "the demo store has clusters at zoom 10"
    assert sorted(t for k, _, _, t in drawn if k == "cluster") == sorted(
        str(f["properties"]["point_count_abbreviated"]) for f in clusters
    )
    # Each cluster sits at its Web Mercator offset from the centre (MapLibre's 512 px world).
    cx, cy = _world_px(lng, lat, zoom)
    expected = set()
    for f in clusters:
        f_lng, f_lat = f["geometry"]["coordinates"]
        x, y = _world_px(f_lng, f_lat, zoom)
        expected.add((round(x - cx, 1), round(y - cy, 1)))
    assert {(float(x), float(y)) for k, x, y, _ in drawn if k == "cluster"} == expected
    # Every home of the area is in a marker: cluster counts plus pins (stacks count theirs).
    points = len(api["features"]) - len(clusters)
    assert (
        sum(1 for k, *_ in drawn if k == "pin") + sum(int(t.split()[0]) for k, _, _, t in drawn if k == "stack")
        == points
    )
    # Screen readers hear what it shows; keyboard users get a button that starts the map.
    assert f"Start the interactive map ({len(clusters)} cluster" in html


def test_preview_is_left_out_when_the_filters_cannot_be_used(sarah_site: Any, site_client: Any) -> None:
    html = site_client(sarah_site).get("/map/", {"minPrice": "lots"}).content.decode()
    assert "data-map-preview" not in html and 'id="map"' in html


def test_fit_view_fits_the_bounds_like_maplibre() -> None:
    bounds = (-116.6, 33.6, -116.2, 33.9)
    lng, lat, zoom = fit_view(bounds, (900, 600))
    west, north = _world_px(bounds[0], bounds[3], zoom)
    east, south = _world_px(bounds[2], bounds[1], zoom)
    # Inside the box less its 40 px padding, touching it on one side.
    assert east - west <= 820 + 1e-6 and south - north <= 520 + 1e-6
    assert max((east - west) / 820, (south - north) / 520) == pytest.approx(1)
    cx, cy = _world_px(lng, lat, zoom)
    assert cx == pytest.approx((west + east) / 2) and cy == pytest.approx((north + south) / 2)
    assert fit_view((-116.5, 33.8, -116.5, 33.8), (900, 600))[2] == 15  # one point: maxZoom


@pytest.mark.parametrize(
    ("price", "text"),
    [(None, "–"), (950, "$950"), (449_600, "$450K"), (1_250_000, "$1.3M"), (2_000_000, "$2M"), (12_400_000, "$12M")],
)
def test_short_money_matches_the_map_script(price: float | None, text: str) -> None:
    assert short_money(price) == text
