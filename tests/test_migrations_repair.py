"""Upgrading a database made before Wagtail joined the public schema: ``migrations_repair``
runs the migrations its history recorded but never ran there, so ``migrate_schemas --shared``
and the flagship's pages work as on a fresh database (before: "relation cms_homepage does not
exist"). Real PostgreSQL, a database of its own, the real commands in processes of their own."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from psycopg import sql

from tenants.database import database_create_if_missing, maintenance_conninfo

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]


def _manage(url: str, settings_module: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": settings_module}
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _public_tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
        return {name for (name,) in rows}


def test_an_old_database_gets_the_tables_its_history_only_recorded() -> None:
    db = settings.DATABASES["default"]
    name = f"chatrealty_upgrade_{uuid.uuid4().hex[:8]}"
    url = f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    database_create_if_missing({**db, "NAME": name})
    try:
        _manage(url, "tests.upgrade.pre_wagtail_settings", "migrate_schemas", "--shared", "-v0")
        assert "cms_homepage" not in _public_tables(url)
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT count(*) FROM django_migrations WHERE app = 'cms'").fetchone()[0] > 0

        out = _manage(url, "config.settings.test", "migrations_repair")
        assert "cms" in out and "wagtailcore" in out, out
        tables = _public_tables(url)
        assert {"cms_homepage", "wagtailcore_page", "wagtailcore_site", "themes_sitebranding"} <= tables
        with psycopg.connect(url) as conn:
            # Wagtail's own data migration ran too: the tree's root exists.
            assert conn.execute("SELECT count(*) FROM wagtailcore_page WHERE depth = 1").fetchone()[0] == 1
        _manage(url, "config.settings.test", "migrate_schemas", "--shared", "-v0")
        assert "nothing to repair" in _manage(url, "config.settings.test", "migrations_repair", "-v2")
    finally:
        with psycopg.connect(maintenance_conninfo(db), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
