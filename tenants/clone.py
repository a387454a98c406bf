"""Schema cloning for new sites, on django-tenants' ``clone_schema`` PL/pgSQL function.

django-tenants re-creates that ~4,500-line function before every clone. Here it is
(re)installed once per process, so an upgraded django-tenants still takes effect at the next
start, and again only if the database lost it; otherwise it is just called.
"""

from __future__ import annotations

import threading

from django.core.exceptions import ValidationError
from django.db import connection
from django_tenants.clone import CloneSchema
from django_tenants.utils import schema_exists

_lock = threading.Lock()
_installed_by_this_process = False

_FUNCTION_EXISTS = (
    "SELECT EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'clone_schema' AND pronamespace = 'public'::regnamespace)"
)


def _ensure_function() -> None:
    global _installed_by_this_process
    with connection.cursor() as cursor:
        cursor.execute(_FUNCTION_EXISTS)
        exists = cursor.fetchone()[0]
    with _lock:
        if exists and _installed_by_this_process:
            return
        CloneSchema()._create_clone_schema_function()
        _installed_by_this_process = True


def schema_clone(*, source: str, target: str) -> None:
    """Copy ``source`` (tables, data, sequences, constraints) into a new schema ``target``."""
    connection.set_schema_to_public()  # type: ignore[attr-defined]
    if schema_exists(target, case_sensitive=False):
        raise ValidationError("New schema name already exists")
    _ensure_function()
    with connection.cursor() as cursor:
        cursor.execute("SELECT clone_schema(%s, %s, 'DATA')", [source, target])
