"""The one JSON API layer (django-ninja): the error shape, the security schemes and the
query-parameter models shared by every app's router. The ``NinjaAPI`` that mounts the routers
lives in ``config/api.py`` (config imports the apps; the apps import only this package)."""
