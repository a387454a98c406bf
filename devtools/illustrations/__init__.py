"""House illustrations for the generated MLS feed's photo URLs (demo and dev only).

The fake Spark server (``devtools.spark``) answers ``/photos/<ListingKey>/<n>-<size>.jpg`` with
a picture drawn from that listing's own record: a condo is a condo building, a 1960s home has a
flat or butterfly roof, a 3,800 sq ft home is wider (and two storeys) than a 1,100 sq ft one,
the garage has as many doors as spaces, the backyard has the pool the listing says it has; the
photo's caption picks the scene (front, kitchen, bedroom, pool, view, aerial...). Colours,
plants and mountains vary per listing. Every picture carries an "Illustration" badge, so
nobody mistakes it for a photo of the home.

Like a real MLS, photos come from the feed's own host: the app serves no images of its own and
production code never imports this package. Rendering is deterministic, so the same URL always
gives the same bytes (``ETag``), and encoded images are kept in a small per-process LRU.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from functools import lru_cache
from io import BytesIO

from devtools.illustrations import exterior, rooms
from devtools.illustrations.canvas import Canvas
from devtools.illustrations.facts import SIZE_WIDTHS, ListingFacts

__all__ = ["SIZE_WIDTHS", "ListingFacts", "caption_scene", "illustration_jpeg"]

Scene = Callable[[Canvas, ListingFacts], None]

SCENES: dict[str, Scene] = {
    "Front": exterior.front,
    "Community": exterior.community,
    "Garage": exterior.front,
    "Living room": rooms.living,
    "Kitchen": rooms.kitchen,
    "Dining": rooms.dining,
    "Primary bedroom": rooms.bedroom,
    "Bedroom": rooms.bedroom,
    "Primary bath": rooms.bath,
    "Bathroom": rooms.bath,
    "Den": rooms.den,
    "Backyard": lambda c, f: rooms.backyard(c, f, pool_first=False),
    "Patio": lambda c, f: rooms.backyard(c, f, pool_first=False),
    "Pool": lambda c, f: rooms.backyard(c, f, pool_first=True),
    "View": rooms.view,
    "Aerial": rooms.aerial,
}


def caption_scene(caption: str, facts: ListingFacts) -> str:
    """The scene a photo's caption asks for, within what the listing has: a lot has no
    kitchen, a home without a pool gets its backyard instead."""
    if facts.is_land:
        return "Aerial" if caption == "Aerial" else ("View" if caption in ("View", "Community") else "Front")
    if caption == "Pool" and not facts.pool:
        return "Backyard"
    return caption if caption in SCENES else "Front"


def _badge(facts: ListingFacts) -> str:
    if facts.is_land:
        return "Illustration · vacant land"
    parts = [f"{facts.beds} bd", f"{facts.baths} ba"]
    if facts.sqft:
        parts.append(f"{facts.sqft:,} sq ft")
    return "Illustration · " + " · ".join(parts)


@lru_cache(maxsize=256)
def illustration_jpeg(facts: ListingFacts, caption: str, photo: int, width: int) -> bytes:
    """The JPEG of one photo of a listing at ``width`` pixels (4:3)."""
    width = max(80, min(2048, width))
    canvas = Canvas(width, random.Random(facts.seed(photo)))
    SCENES[caption_scene(caption, facts)](canvas, facts)
    canvas.label(_badge(facts))
    out = BytesIO()
    canvas.finish().save(out, "JPEG", quality=82, optimize=width <= 800, progressive=width > 800)
    return out.getvalue()
