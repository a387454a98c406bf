"""gunicorn settings shared by production, the demo's docs and the benchmarks:
``gunicorn -c python:config.gunicorn config.wsgi``. Command-line flags override these."""

from __future__ import annotations

import os
from typing import Any

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
# gthread with load shedding: a request that waited over GUNICORN_MAX_QUEUE_S (1 s) for a thread
# is answered 503 at once instead of queueing past the clients' timeouts (config/gunicorn_worker.py).
worker_class = "config.gunicorn_worker.SheddingThreadWorker"
# 8: a request spends much of its time waiting on PostgreSQL, MongoDB and Redis, and while the
# store is slow (a sync writing, a restart) those waits held every thread of 4 and the fast
# kinds queued behind them into load shedding; the mixed benchmark's errors outside faults went
# from 2,221-3,631 (2 threads) to 178 (4) and 15 (8) on 2 cores (docs/benchmarks.md, session 7).
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
keepalive = 10
timeout = 30
graceful_timeout = 10
# nginx (platform/nginx) already logs every request; a second access log here costs ~0.3 ms of
# CPU per request. GUNICORN_ACCESS_LOG=- turns it on (to stdout) where no proxy logs.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None


def post_worker_init(worker: Any) -> None:
    """Get the listings read model ready in each worker right after the fork, so the first
    searches do not wait for it. With LISTINGS_READMODEL_SNAPSHOT_DIR (the default) the first
    worker builds it from the store and publishes a snapshot; the others, and every worker
    started later, map that snapshot (one shared copy in RAM, ready in well under a second).
    Never in the master: the model's threads and mappings belong to the worker processes."""
    from listings.readmodel.loader import warm_in_background
    from rentals.availability import warm_in_background as rentals_warm_in_background

    warm_in_background()
    rentals_warm_in_background()  # the rental search's in-memory index (rentals/availability.py)
