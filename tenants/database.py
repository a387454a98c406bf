"""The platform's PostgreSQL database itself: created on a fresh server before the first
migration (``manage.py database_create``, run by ``make migrate`` and ``make demo``).

Plain psycopg, no Django connection: Django cannot connect to a database that does not exist
yet, so this talks to the server's ``postgres`` maintenance database instead."""

from __future__ import annotations

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo


def maintenance_conninfo(*, host: str = "", port: str | int = "", user: str = "", password: str = "") -> str:
    """libpq connection string for the server's ``postgres`` database (empty values left out)."""
    params = {"host": host, "port": str(port or ""), "user": user, "password": password}
    return make_conninfo(dbname="postgres", **{k: v for k, v in params.items() if v})


def database_create_if_missing(
    *, name: str, host: str = "", port: str | int = "", user: str = "", password: str = ""
) -> bool:
    """CREATE DATABASE ``name`` unless it exists; True when it was created."""
    conninfo = maintenance_conninfo(host=host, port=port, user=user, password=password)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return True
