"""``manage.py database_create``: a fresh PostgreSQL server gets the platform's database before
the first migration (``make demo`` and ``make migrate`` run it); running it again changes nothing."""

from __future__ import annotations

import uuid
from io import StringIO
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from psycopg import sql

from tenants.database import database_create_if_missing, maintenance_conninfo


def _on_test_server(name: str) -> dict[str, Any]:
    return {**settings.DATABASES["default"], "NAME": name}


def _exists(name: str) -> bool:
    with psycopg.connect(maintenance_conninfo(settings.DATABASES["default"]), autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


def _drop(name: str) -> None:
    with psycopg.connect(maintenance_conninfo(settings.DATABASES["default"]), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def test_a_missing_database_is_created_once() -> None:
    name = f"chatrealty_create_{uuid.uuid4().hex[:8]}"
    try:
        assert database_create_if_missing(_on_test_server(name)) is True
        assert _exists(name)
        assert database_create_if_missing(_on_test_server(name)) is False
    finally:
        _drop(name)


def test_a_name_is_an_identifier_never_sql() -> None:
    name = f'x"; DROP DATABASE "postgres{uuid.uuid4().hex[:6]}'
    try:
        assert database_create_if_missing(_on_test_server(name)) is True
        assert _exists(name)
    finally:
        _drop(name)


@pytest.mark.django_db
def test_the_command_leaves_an_existing_database_alone() -> None:
    out = StringIO()
    call_command("database_create", stdout=out)
    assert out.getvalue().strip() == f"database {settings.DATABASES['default']['NAME']}: exists"


def test_an_unreachable_server_is_a_clear_error() -> None:
    with pytest.raises(psycopg.OperationalError):
        database_create_if_missing({"NAME": "never", "HOST": "127.0.0.1", "PORT": 1, "USER": "postgres"})
