"""Celery application. Tasks that touch a site take its schema name (see tenants.tasks)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("chatrealty")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
