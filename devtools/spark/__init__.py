"""A local Spark API (replication) server with a RESO Web API adapter and the generated feed
it serves (``feed``). Run it with ``python -m devtools.spark --port 8765 --seed 42``."""

from devtools.spark.server import FakeSpark, serve_in_thread

__all__ = ["FakeSpark", "serve_in_thread"]
