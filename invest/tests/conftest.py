from cma.tests.conftest import cma_store, fake_geocoder, geocoding  # noqa: F401
from listings.tests.pages_support import pages_urls  # noqa: F401
