"""A deterministic, realistic MLS feed (GPS + CRMLS) generated lazily from a seed.

``FeedSet`` holds one ``SourceFeed`` per MLS source; records are built per page, never all at
once. The hedonic model in ``hedonic`` prices every home, so valuations on it mean something.
"""

from __future__ import annotations

from dataclasses import dataclass

from .state import FEED_NOW, STATUSES, SourceFeed

DEFAULT_SIZES = {"gps": (11_592, 11_592), "crmls": (20_406, 30_409)}  # (active, closed)


@dataclass
class FeedSet:
    seed: int
    sizes: dict[str, tuple[int, int]]

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.feeds = {src: SourceFeed(src, self.seed, active, closed) for src, (active, closed) in self.sizes.items()}


__all__ = ["DEFAULT_SIZES", "FEED_NOW", "STATUSES", "FeedSet", "SourceFeed"]
