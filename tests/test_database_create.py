"""``manage.py database_create``: a fresh PostgreSQL server gets the platform's database before
the first migration (``make demo`` and ``make migrate`` run it); running it again changes nothing."""

from __future__ import annotations

import uuid
from io import StringIO

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command

from tenants.database import database_create_if_missing, maintenance_conninfo


def _server() -> dict[str, str]:
    db = settings.DATABASES["default"]
    return {k.lower(): str(db.get(k) or "") for k in ("HOST", "PORT", "USER", "PASSWORD")}


def _exists(name: str) -> bool:
    with psycopg.connect(maintenance_conninfo(**_server()), autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


def test_a_missing_database_is_created_once() -> None:
    name = f"chatrealty_create_{uuid.uuid4().hex[:8]}"
    try:
        assert database_create_if_missing(name=name, **_server()) is True
        assert _exists(name)
        assert database_create_if_missing(name=name, **_server()) is False
    finally:
        with psycopg.connect(maintenance_conninfo(**_server()), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def test_a_name_is_an_identifier_never_sql() -> None:
    name = f'x"; DROP DATABASE "postgres{uuid.uuid4().hex[:6]}'
    try:
        assert database_create_if_missing(name=name, **_server()) is True
        assert _exists(name)
    finally:
        with psycopg.connect(maintenance_conninfo(**_server()), autocommit=True) as conn:
            conn.execute(psycopg.sql.SQL("DROP DATABASE IF EXISTS {}").format(psycopg.sql.Identifier(name)))


@pytest.mark.django_db
def test_the_command_leaves_an_existing_database_alone() -> None:
    out = StringIO()
    call_command("database_create", stdout=out)
    assert out.getvalue().strip() == f"database {settings.DATABASES['default']['NAME']}: exists"


def test_an_unreachable_server_is_a_clear_error() -> None:
    with pytest.raises(psycopg.OperationalError):
        database_create_if_missing(name="never", host="127.0.0.1", port=1, user="postgres")
