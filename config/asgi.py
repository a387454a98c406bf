"""ASGI entry point: the chat assistant's service in production (config/gunicorn_asgi.py) and
``make demo``'s server. With DEBUG on (the demo) it also serves static files, as runserver does."""

import os
from typing import Any

from django.conf import settings
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")


def behind_unix_socket(app: Any) -> Any:
    """A server on a unix socket (production, behind nginx) reports ``server = (path, None)``;
    Django turns that into ``SERVER_PORT = "None"`` and Wagtail's site lookup (branding, page
    serving) fails on ``int("None")`` with a 500. The client reached the proxy on its scheme's
    port, so that is the port."""

    async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
        server = scope.get("server")
        if server and server[1] is None:
            scope = {**scope, "server": (server[0], 443 if scope.get("scheme") in ("https", "wss") else 80)}
        await app(scope, receive, send)

    return application


application = behind_unix_socket(get_asgi_application())

if settings.DEBUG:
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    application = ASGIStaticFilesHandler(application)
