"""A local RESO Web API server (OAuth2, ``$metadata`` with local lookup names, server-driven
paging) serving a third generated MLS. Run it with ``python -m devtools.reso --port 8766``."""

from devtools.reso.server import FakeReso, serve_in_thread

__all__ = ["FakeReso", "serve_in_thread"]
