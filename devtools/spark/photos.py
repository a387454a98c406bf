"""The feed's photo host: ``/photos/<ListingKey>/<n>-<size>.jpg`` answered with an illustration
of that listing (``devtools.illustrations``), drawn from the record the feed serves for it."""

from __future__ import annotations

import re
from typing import Any

from devtools.illustrations import SIZE_WIDTHS, ListingFacts, illustration_jpeg
from devtools.spark.feed.names import PHOTO_CAPTIONS
from devtools.spark.feed.wire import PLACEHOLDER_JPEG

PHOTO_PATH = re.compile(r"^/photos/(?P<key>[0-9A-Za-z]{1,40})/(?P<n>\d{1,3})-(?P<size>[a-z0-9]{1,8})\.jpg$")
CACHE_HEADERS = {"Cache-Control": "public, max-age=604800, immutable"}


def photo_bytes(feeds: dict[str, Any], path: str) -> tuple[int, bytes]:
    """(status, JPEG) for a photo path: 404 for a path or listing the feed does not have; the
    old flat placeholder for a listing key of another feed (tests' synthetic listings)."""
    match = PHOTO_PATH.match(path)
    if match is None or match["size"] not in SIZE_WIDTHS:
        return 404, b""
    key, photo = match["key"], int(match["n"])
    for feed in feeds.values():
        position = feed.position(key)
        if position is not None:
            fields = feed.record(position, photo_base="", expand=frozenset())["StandardFields"]
            break
    else:
        return 200, PLACEHOLDER_JPEG
    facts = ListingFacts.from_fields(key, fields)
    caption = PHOTO_CAPTIONS[photo % len(PHOTO_CAPTIONS)]
    return 200, illustration_jpeg(facts, caption, photo, SIZE_WIDTHS[match["size"]])
