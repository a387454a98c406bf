"""ASGI entry point: the chat assistant's service in production (config/gunicorn_asgi.py) and
``make demo``'s server. With DEBUG on (the demo) it also serves static files, as runserver does."""

import os

from django.conf import settings
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_asgi_application()

if settings.DEBUG:
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    application = ASGIStaticFilesHandler(application)
