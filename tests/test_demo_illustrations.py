"""The demo's listings carry real pictures: the fake MLS's photo URLs answer with illustrations
drawn from each listing's own record, at the width each srcset entry names."""

from __future__ import annotations

import io
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image

from devtools.illustrations import ListingFacts, caption_scene, illustration_jpeg
from devtools.spark import FakeSpark, serve_in_thread


@pytest.fixture(scope="module")
def spark() -> Iterator[str]:
    server, url = serve_in_thread(FakeSpark(seed=7, sizes={"gps": (300, 10), "crmls": (300, 10)}))
    yield url
    server.shutdown()
    server.server_close()


def _get(url: str, **headers: str) -> tuple[int, bytes, Any]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), exc.headers


def _listings(url: str, source: str) -> list[dict[str, Any]]:
    status, body, _ = _get(
        f"{url}/v1/listings?_limit=300&_expand=Photos",
        Authorization=f"Bearer {source}",
        **{"X-SparkApi-User-Agent": "t"},
    )
    assert status == 200
    import json

    return [r["StandardFields"] for r in json.loads(body)["D"]["Results"]]


def _image(body: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(body))
    assert image.format == "JPEG"
    return image


def test_photo_urls_answer_with_pictures_at_the_srcset_widths(spark: str) -> None:
    record = next(r for r in _listings(spark, "gps") if r["PropertyType"] != "Land")
    photo = record["Photos"][0]
    for field, width in (("Uri300", 300), ("Uri640", 640), ("Uri1024", 1024), ("Uri2048", 2048)):
        assert photo[field].startswith(spark + "/photos/")
        status, body, headers = _get(photo[field])
        assert status == 200 and headers["Content-Type"] == "image/jpeg"
        assert "immutable" in headers["Cache-Control"]
        image = _image(body)
        assert image.size == (width, width * 3 // 4)
        # A drawing, not a flat box: many colours.
        assert len(image.convert("RGB").getcolors(maxcolors=1 << 20) or []) > 50
    again = _get(photo["Uri640"])[1]
    assert again == _get(photo["Uri640"])[1]  # deterministic: the same URL, the same bytes


def test_pictures_differ_per_listing_and_follow_their_facts(spark: str) -> None:
    records = _listings(spark, "gps") + _listings(spark, "crmls")
    fronts = {}
    for r in records[:40]:
        front = next((p for p in r["Photos"] if p["Caption"] == "Front"), None)
        if front:
            fronts[r["ListingKey"]] = _get(front["Uri300"])[1]
    assert len(set(fronts.values())) == len(fronts) > 10  # varied, never one stock picture
    by_type = {r["PropertySubType"]: r for r in records}
    assert {"Condominium", "Single Family Residence"} <= set(by_type)
    condo = ListingFacts.from_fields(by_type["Condominium"]["ListingKey"], by_type["Condominium"])
    assert condo.subtype == "Condominium" and condo.stories == 3
    land = next(r for r in records if r["PropertyType"] == "Land")
    facts = ListingFacts.from_fields(land["ListingKey"], land)
    assert facts.is_land and caption_scene("Kitchen", facts) == "Front"  # a lot has no kitchen


def test_facts_change_the_drawing() -> None:
    base = ListingFacts("K1", "Single Family Residence", False, 3, 2, 1500, 1962, False, 2, True)
    big = ListingFacts("K1", "Single Family Residence", False, 5, 4, 4200, 1962, False, 2, True)
    pool = ListingFacts("K1", "Single Family Residence", False, 3, 2, 1500, 1962, True, 2, True)
    assert base.style == "midcentury" and big.stories == 1
    assert illustration_jpeg(base, "Front", 0, 300) != illustration_jpeg(big, "Front", 0, 300)
    assert caption_scene("Pool", base) == "Backyard" and caption_scene("Pool", pool) == "Pool"
    # The pool shows: far more pool-blue pixels in the picture of the home that has one.
    blue = (56, 189, 248)

    def blue_share(body: bytes) -> float:
        image = _image(body).convert("RGB").resize((80, 60))
        pixels = [image.getpixel((x, y)) for y in range(60) for x in range(80)]
        near = sum(1 for p in pixels if sum(abs(a - b) for a, b in zip(p, blue, strict=True)) < 60)
        return near / len(pixels)

    assert (
        blue_share(illustration_jpeg(pool, "Pool", 9, 300)) > 0.1 > blue_share(illustration_jpeg(base, "Pool", 9, 300))
    )


def test_bad_photo_paths_are_404(spark: str) -> None:
    for path in ("/photos/../../etc/passwd", "/photos/X/0-999.jpg", "/photos/abc/zz-300.jpg", "/photos/a/0-300.png"):
        assert _get(spark + path)[0] == 404
