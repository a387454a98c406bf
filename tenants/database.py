"""The platform's PostgreSQL database itself: created on a fresh server before the first
migration (``manage.py database_create``, run by ``make migrate`` and ``make demo``).

Plain psycopg, no Django connection: Django cannot connect to a database that does not exist
yet, so this talks to the server's ``postgres`` maintenance database instead."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo


def maintenance_conninfo(db: Mapping[str, Any]) -> str:
    """libpq connection string for the ``postgres`` database on the server of ``db`` (a Django
    ``DATABASES`` entry; empty values left out)."""
    params = {key.lower(): str(db.get(key) or "") for key in ("HOST", "PORT", "USER", "PASSWORD")}
    return make_conninfo(dbname="postgres", **{k: v for k, v in params.items() if v})


def database_create_if_missing(db: Mapping[str, Any]) -> bool:
    """CREATE DATABASE ``db["NAME"]`` unless it exists; True when it was created."""
    with psycopg.connect(maintenance_conninfo(db), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db["NAME"],)).fetchone():
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
    return True
