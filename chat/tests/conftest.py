"""Fixtures the assistant's tests share with other apps: the listing store the listing pages
use, and the CMA engine's store (active listings and closed sales)."""

from cma.tests.conftest import cma_store
from listings.tests.pages_support import store

__all__ = ["cma_store", "store"]
