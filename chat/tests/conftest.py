"""The listing store fixture the assistant's tests ask about (shared with the listing pages)."""

from listings.tests.pages_support import store

__all__ = ["store"]
