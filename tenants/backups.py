"""Backups of one site (its schema, its media, its records in the network) and of the network.

A backup is one ``.tar.gz``::

    manifest.json   what it holds: kind (site or network), schema, the site's network records
                    (its Tenant row and domains), row counts per table, media file count
    schema.dump     ``pg_dump --format=custom --schema=<schema>`` of the site's (or the public) schema
    media/...       the files under MEDIA_ROOT/<schema>/

``site_restore`` puts a site back under its own name (when that schema is gone) or under a new
name beside the original (a restore drill, or recovering a deleted site's data for a look):
the dump is restored into a scratch database, its schema renamed there and copied into this
database, so the live schema is never touched. Then the network records are recreated for the
new name, the Wagtail Site's hostname is set to the new domain and the media are copied in.
A network backup is restored into an empty database, before its sites (platform/README.md).

The listings store (MongoDB) is not part of it: it is the MLS's data, rebuilt by a full sync
(or restored from Atlas's own backups).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django_tenants.utils import schema_context, schema_exists

from tenants.models import Domain, Tenant

FORMAT = 1
_TENANT_FIELDS = ("name", "slug", "kind", "is_active", "plan_status", "mls_sources", "featured_subdivisions")


class BackupError(Exception):
    """A backup or restore could not be made; nothing was changed."""


@dataclass(frozen=True, slots=True)
class RestoredSite:
    tenant: Tenant
    domain: str
    tables: int
    media_files: int


# -- PostgreSQL tools -----------------------------------------------------------------------------
def _pg_env(database: str | None = None) -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = {**os.environ, "PGHOST": str(db.get("HOST") or ""), "PGPORT": str(db.get("PORT") or "")}
    env.update({"PGUSER": str(db.get("USER") or ""), "PGPASSWORD": str(db.get("PASSWORD") or "")})
    env["PGDATABASE"] = database or str(db["NAME"])
    return {k: v for k, v in env.items() if v != ""}


def _run(cmd: list[str], *, database: str | None = None, stdin: Any = None) -> str:
    proc = subprocess.run(cmd, env=_pg_env(database), stdin=stdin, capture_output=True, text=True, timeout=3600)
    if proc.returncode != 0:
        raise BackupError(f"{cmd[0]} failed: {proc.stderr.strip()[-2000:]}")
    return proc.stdout


def _here() -> str:
    return f"--dbname={_pg_env()['PGDATABASE']}"


def _row_counts(schema: str) -> dict[str, int]:
    """Exact row counts of every table of ``schema`` (the manifest, and the drill's check)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename", [schema])
        tables = [r[0] for r in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{schema}"."{table}"')
            counts[table] = int(cursor.fetchone()[0])
    return counts


def _media_root(schema: str) -> Path:
    return Path(settings.MEDIA_ROOT) / schema


# -- backup ---------------------------------------------------------------------------------------
def _site_records(tenant: Tenant) -> dict[str, Any]:
    return {
        "tenant": {name: getattr(tenant, name) for name in _TENANT_FIELDS} | {"owner_id": tenant.owner_id},
        "domains": [
            {"domain": d.domain, "is_primary": d.is_primary}
            for d in Domain.objects.filter(tenant=tenant).order_by("pk")
        ],
    }


def site_backup(*, slug: str | None, out_dir: Path, now: datetime | None = None) -> Path:
    """Write the backup of the site ``slug`` (or, with ``slug=None``, of the network: the public
    schema and its media) to ``out_dir``; returns the archive's path."""
    now = now or datetime.now(UTC)
    connection.set_schema_to_public()  # type: ignore[attr-defined]
    if slug is None:
        schema, kind, records = settings.PUBLIC_SCHEMA_NAME, "network", {}
    else:
        tenant = Tenant.objects.filter(slug=slug).exclude(kind=Tenant.Kind.PUBLIC).first()
        if tenant is None:
            raise BackupError(f"No site {slug!r}.")
        schema, kind, records = tenant.schema_name, "site", _site_records(tenant)
    out_dir.mkdir(parents=True, exist_ok=True)
    name = f"{slug or 'network'}-{now:%Y%m%dT%H%M%SZ}.tar.gz"
    with tempfile.TemporaryDirectory(prefix="site-backup-") as work:
        dump = Path(work) / "schema.dump"
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--schema={schema}", f"--file={dump}"])
        media = _media_root(schema)
        files = [p for p in media.rglob("*") if p.is_file()] if media.is_dir() else []
        manifest = {
            "format": FORMAT,
            "kind": kind,
            "schema": schema,
            "created": now.isoformat(),
            "rows": _row_counts(schema),
            "media_files": len(files),
            **records,
        }
        (Path(work) / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str))
        partial = out_dir / f".{name}.partial"
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(Path(work) / "manifest.json", arcname="manifest.json")
            tar.add(dump, arcname="schema.dump")
            for path in files:
                tar.add(path, arcname=f"media/{path.relative_to(media)}")
        partial.rename(out_dir / name)  # a backup appears only complete
    return out_dir / name


def backups_prune(*, out_dir: Path, keep_days: int, now: datetime | None = None) -> list[Path]:
    """Delete archives older than ``keep_days`` (by the time in their name); returns them."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=keep_days)
    removed = []
    for path in sorted(out_dir.glob("*.tar.gz")):
        stamp = path.name.removesuffix(".tar.gz").rsplit("-", 1)[-1]
        try:
            taken = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            continue
        if taken < cutoff:
            path.unlink()
            removed.append(path)
    return removed


# -- restore --------------------------------------------------------------------------------------
def _read(archive: Path, work: Path) -> dict[str, Any]:
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(work, filter="data")  # refuses absolute paths, .. and links out
    manifest = json.loads((work / "manifest.json").read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    return manifest


@contextmanager
def _scratch_database() -> Iterator[str]:
    name = f"restore_{secrets.token_hex(6)}"
    _run(["createdb", name])
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT extname FROM pg_extension WHERE extname <> 'plpgsql'")
            extensions = [r[0] for r in cursor.fetchall()]
        for ext in extensions:  # the schema's columns and indexes may use them
            _run(["psql", "-v", "ON_ERROR_STOP=1", "-c", f'CREATE EXTENSION IF NOT EXISTS "{ext}"'], database=name)
        yield name
    finally:
        _run(["dropdb", "--if-exists", name])


def _schema_restore(*, dump: Path, source: str, target: str) -> None:
    """Restore ``source`` from ``dump`` into this database as ``target`` (absent before)."""
    if schema_exists(target):
        raise BackupError(f"Schema {target!r} already exists.")
    if source == target:
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                _here(),
                str(dump),
            ]
        )
        return
    with _scratch_database() as scratch, tempfile.TemporaryDirectory(prefix="site-restore-") as work:
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", f"--dbname={scratch}", str(dump)])
        _run(["psql", "-v", "ON_ERROR_STOP=1", "-c", f'ALTER SCHEMA "{source}" RENAME TO "{target}"'], database=scratch)
        renamed = Path(work) / "renamed.dump"
        _run(["pg_dump", "--format=custom", "--no-owner", f"--schema={target}", f"--file={renamed}"], database=scratch)
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                _here(),
                str(renamed),
            ]
        )


def site_restore(*, archive: Path, slug: str | None = None) -> RestoredSite:
    """Restore a site backup as the site ``slug`` (default: its own slug, which must be free)."""
    from wagtail.models import Site

    from tenants.validators import validate_subdomain

    connection.set_schema_to_public()  # type: ignore[attr-defined]
    with tempfile.TemporaryDirectory(prefix="site-restore-") as tmp:
        work = Path(tmp)
        manifest = _read(archive, work)
        if manifest["kind"] != "site":
            raise BackupError("This is a network backup: restore it into an empty database (platform/README.md).")
        slug = slug or manifest["tenant"]["slug"]
        try:
            validate_subdomain(slug)
        except ValidationError as exc:
            raise BackupError(f"{slug!r} is not a usable site name: {'; '.join(exc.messages)}") from exc
        schema = slug.replace("-", "_")
        if Tenant.objects.filter(slug=slug).exists() or schema_exists(schema):
            raise BackupError(f"A site {slug!r} already exists.")
        _schema_restore(dump=work / "schema.dump", source=manifest["schema"], target=schema)
        try:
            tenant, domain = _network_records(manifest=manifest, slug=slug, schema=schema)
            with schema_context(schema):
                Site.objects.filter(is_default_site=True).update(hostname=domain)
                Site.objects.exclude(is_default_site=True).delete()  # the original's other hosts
        except BaseException:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            raise
        media = _media_root(schema)
        if (work / "media").is_dir():
            shutil.copytree(work / "media", media, dirs_exist_ok=True)
    return RestoredSite(tenant=tenant, domain=domain, tables=len(manifest["rows"]), media_files=manifest["media_files"])


@transaction.atomic
def _network_records(*, manifest: dict[str, Any], slug: str, schema: str) -> tuple[Tenant, str]:
    from django.contrib.auth import get_user_model

    fields = {k: v for k, v in manifest["tenant"].items() if k in _TENANT_FIELDS}
    owner_id = manifest["tenant"].get("owner_id")
    owner = get_user_model().objects.filter(pk=owner_id).first() if owner_id else None
    tenant = Tenant(**{**fields, "slug": slug, "schema_name": schema, "owner": owner})
    if slug != manifest["tenant"]["slug"]:
        tenant.name = f"{tenant.name} (restored)"
    tenant.save(verbosity=0)  # the schema exists: nothing is created or migrated
    from tenants.services import site_domain

    domain = site_domain(subdomain=slug)
    Domain.objects.create(domain=domain, tenant=tenant, is_primary=True)
    return tenant, domain
