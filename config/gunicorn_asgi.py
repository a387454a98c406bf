"""gunicorn settings of the ASGI service that serves the chat assistant (``/api/chat/``):
``gunicorn -c python:config.gunicorn_asgi config.asgi``. Everything else stays on the WSGI
gthread service (config/gunicorn.py); nginx routes ``/api/chat/`` here, unbuffered.

uvicorn workers run one event loop each: a stream waiting on the model is a suspended
coroutine, not a held thread, so a few workers keep hundreds of streams open."""

from __future__ import annotations

import os

from config.gunicorn import post_worker_init  # noqa: F401 - the read model, warmed per worker

bind = os.environ.get("GUNICORN_ASGI_BIND", "0.0.0.0:8001")
workers = int(os.environ.get("CHAT_WEB_CONCURRENCY", "2"))
worker_class = "uvicorn.workers.UvicornWorker"
keepalive = 10
# For uvicorn workers this is the heartbeat timeout of a worker, not a per-request limit; a
# stream lasts as long as the answer (the model's read timeout bounds a hang).
timeout = 60
graceful_timeout = 20
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
