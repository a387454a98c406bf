"""Subscribe to ``listings:changed`` and queue the saved-search alerts of each event.

Run one of these next to the Celery workers (``manage.py listings_alerts_listen``); pub/sub
messages are not stored, so it must be running when syncs finish.
"""

from __future__ import annotations

import json
import time
from typing import Any

import redis
from django.conf import settings
from django.core.management.base import BaseCommand

CHANNEL = "listings:changed"


class Command(BaseCommand):
    help = "Queue saved-search alerts for every listings:changed event."

    def handle(self, *args: Any, **options: Any) -> None:
        from listings.tasks import alerts_on_changed

        while True:
            try:
                bus = redis.Redis.from_url(settings.REDIS_URL).pubsub(ignore_subscribe_messages=True)
                bus.subscribe(CHANNEL)
                self.stdout.write(f"listening on {CHANNEL}")
                for message in bus.listen():
                    try:
                        event = json.loads(message["data"])
                    except (ValueError, TypeError):
                        continue
                    if isinstance(event, dict):
                        alerts_on_changed.delay(event)
            except redis.RedisError as e:  # reconnect after an outage
                self.stderr.write(f"redis: {e}; reconnecting")
                time.sleep(2)
