"""/healthz tells the public which store is down, never why (the log does), and probes Redis
through the cache's connection pool instead of opening a connection per probe."""

from __future__ import annotations

import logging
from typing import Any

import redis


def test_a_down_store_is_named_without_its_error(client: Any, settings: Any, db: None, caplog: Any) -> None:
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"},
    }
    with caplog.at_level(logging.ERROR, logger="config.health"):
        response = client.get("/healthz", HTTP_HOST="10.0.0.7")
    assert response.status_code == 503
    body = response.json()
    assert body["services"]["redis"] == {"status": "error"}
    assert body["services"]["postgres"]["status"] == "ok"
    text = response.content.decode()
    assert "Error" not in text and "127.0.0.1" not in text and "refused" not in text.lower()
    assert "redis is down" in caplog.text and "Connection" in caplog.text  # operators get the cause


def test_probes_reuse_pooled_connections(client: Any, settings: Any, db: None) -> None:
    server = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    client.get("/healthz", HTTP_HOST="localhost")  # the pool's first connection
    before = server.info("stats")["total_connections_received"]
    for _ in range(20):
        assert client.get("/healthz", HTTP_HOST="localhost").status_code == 200
    assert server.info("stats")["total_connections_received"] - before <= 1
