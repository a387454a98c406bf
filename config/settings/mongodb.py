"""The shared MLS listings store (MongoDB Atlas in production, SecantusDB in dev and CI)."""

from config.env import BASE_DIR, env

MONGODB_URI = env("MONGODB_URI", default="mongodb://127.0.0.1:27018")
MONGODB_DB = env("MONGODB_DB", default="chatrealty")
# Keep each process's listings read model fresh from the "listings changed" events (Redis).
LISTINGS_READMODEL_REFRESH = env.bool("LISTINGS_READMODEL_REFRESH", default=True)
# Where the web processes of a host share the read model (memory-mapped snapshots written by one
# of them; listings/readmodel/snapshot.py). Local disk only; empty: each process loads its own.
LISTINGS_READMODEL_SNAPSHOT_DIR = env("LISTINGS_READMODEL_SNAPSHOT_DIR", default=str(BASE_DIR / "var" / "readmodel"))
# Generated pages (home, communities) kept per process for signed-out visitors, per read-model
# version and pages version (a publish or a branding change in any process); the TTL bounds
# anything else they show (listings/pagecache.py), the check how soon other processes notice.
PAGE_CACHE_SECONDS = env.float("PAGE_CACHE_SECONDS", default=300)
PAGE_CACHE_VERSION_CHECK_SECONDS = env.float("PAGE_CACHE_VERSION_CHECK_SECONDS", default=0.25)
