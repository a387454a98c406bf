"""Celery: Redis broker, JSON only, tasks acknowledged late so a crash re-runs them."""

from kombu import Queue

from config.env import env
from listings.schedules import ALERTS_BEAT_SCHEDULE
from mls_sync.schedules import mls_beat_schedule

from .mls import MLS_SOURCES

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=env("REDIS_URL", default="redis://127.0.0.1:6379/0"))
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "America/Los_Angeles"
CELERY_TASK_ACKS_LATE = True
# Report PDFs (0.7 s of CPU each on a quiet host, ~1.5 s on a busy one; one per CMA) have a
# queue of their own: a worker consuming both takes them in turn, so a backlog of renders never
# holds an MLS sync, an alert or a lead email behind it (the mixed benchmark's syncs waited over
# a minute behind its CMAs' PDFs).
# Workers consume every queue listed here unless told otherwise (``--queues``).
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = (Queue("celery"), Queue("reports"))
CELERY_TASK_ROUTES = {"cma.render_pdf": {"queue": "reports"}}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# With the Redis broker a message delivered to a worker that then dies (SIGKILL, OOM) is handed
# back only after this many seconds; kombu's default is an hour, so the saved-search alerts a
# killed worker held waited an hour (the mixed benchmark's lost events). Longer than any task
# that must not run twice takes: only full MLS syncs run longer, and a second delivery of one
# finds its source's lock held and is recorded as skipped.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=300)}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BEAT_SCHEDULE: dict = {
    **mls_beat_schedule(MLS_SOURCES),
    **ALERTS_BEAT_SCHEDULE,
    "tenants-expire-grace-periods": {"task": "tenants.site_grace_periods_expire", "schedule": 3600},
    "tenants-expire-site-trials": {"task": "tenants.site_trials_expire", "schedule": 3600},
    "rentals-release-expired-holds": {"task": "rentals.holds_release_expired", "schedule": 300},
    "rentals-refresh-calendar-feeds": {"task": "rentals.feeds_refresh_due", "schedule": 900},
    # The rental search index's change log, kept an hour (rentals/availability.py).
    "rentals-prune-search-log": {"task": "rentals.search_log_prune", "schedule": 900},
    # CRM: unanswered leads reassigned, task reminders mailed (leads/tasks.py).
    "leads-sweep": {"task": "leads.sweep", "schedule": 300, "options": {"expires": 290}},
    # Analytics: queued events into the sites' tables and their daily rollups (analytics/).
    "analytics-flush": {"task": "analytics.flush", "schedule": 10, "options": {"expires": 9}},
}
