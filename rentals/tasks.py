"""Periodic rental jobs (public schema; thin: the work is in services and calendars)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django_tenants.utils import schema_context


@shared_task(name="rentals.holds_release_expired")
def holds_release_expired() -> int:
    from rentals.services import holds_release_expired as release

    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        return release()


@shared_task(name="rentals.feeds_refresh_due")
def feeds_refresh_due() -> int:
    from rentals.calendars import feeds_due

    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        ids = feeds_due()
    for feed_id in ids:
        feed_refresh.delay(feed_id=feed_id)
    return len(ids)


@shared_task(name="rentals.feed_refresh", autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def feed_refresh(*, feed_id: int) -> str:
    from rentals.calendars import feed_import

    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        return feed_import(feed_id=feed_id).summary


@shared_task(name="rentals.search_log_prune")
def search_log_prune() -> int:
    """The search index's change log, older than an hour (rentals.availability)."""
    from rentals.availability import log_prune

    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        return log_prune()
