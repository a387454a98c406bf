"""Reads across the network for the platform admin: every site with its state, owner, domains,
last sync and lead count; users by email on any site; sync runs; reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Max
from psycopg import sql

from mls_sync.models import SyncRun
from tenants.models import Tenant


def _lead_table() -> str:
    from django.apps import apps

    model = apps.get_model("leads", "Lead") if apps.is_installed("leads") else apps.get_model("cms", "Lead")
    return str(model._meta.db_table)


def _schemas_with(table: str, schemas: list[str]) -> list[str]:
    """The schemas (of ``schemas``) that have ``table`` (a site mid-provisioning may not)."""
    if not schemas:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema FROM information_schema.tables WHERE table_name = %s AND table_schema = ANY(%s)",
            [table, schemas],
        )
        return [row[0] for row in cursor.fetchall()]


def lead_counts(*, schemas: list[str]) -> dict[str, int]:
    """Leads per site schema, in one query (a UNION over the schemas)."""
    table = _lead_table()
    present = _schemas_with(table, schemas)
    if not present:
        return {}
    query = sql.SQL(" UNION ALL ").join(
        sql.SQL("SELECT {name}, count(*) FROM {table}").format(
            name=sql.Literal(schema), table=sql.Identifier(schema, table)
        )
        for schema in present
    )
    with connection.cursor() as cursor:
        cursor.execute(query.as_string(cursor.connection))
        return {schema: int(count) for schema, count in cursor.fetchall()}


@dataclass(frozen=True)
class SiteRow:
    tenant: Tenant
    owner_email: str
    domains: list[str]
    leads: int
    last_sync: datetime | None


def sites_overview() -> list[SiteRow]:
    tenants = list(
        Tenant.objects.exclude(kind=Tenant.Kind.TEMPLATE).select_related("owner").prefetch_related("domains")
    )
    counts = lead_counts(schemas=[t.schema_name for t in tenants])
    last = dict(
        SyncRun.objects.filter(status=SyncRun.Status.OK, dry_run=False)
        .values_list("source")
        .annotate(at=Max("finished_at"))
    )
    rows = []
    for tenant in tenants:
        sources = tenant.mls_sources or list(last)
        synced = [last[s] for s in sources if last.get(s)]
        rows.append(
            SiteRow(
                tenant=tenant,
                owner_email=tenant.owner.email if tenant.owner else "",
                domains=sorted(d.domain for d in tenant.domains.all()),
                leads=counts.get(tenant.schema_name, 0),
                last_sync=min(synced) if synced else None,  # the oldest of its feeds' latest syncs
            )
        )
    return rows


def users_find(*, email: str, limit: int = 50) -> list[dict[str, Any]]:
    """Accounts whose email contains ``email``, on the network and on every site."""
    needle = email.strip().lower()
    if len(needle) < 3:
        return []
    schemas = [
        "public",
        *Tenant.objects.exclude(kind=Tenant.Kind.TEMPLATE)
        .exclude(schema_name="public")
        .values_list("schema_name", flat=True),
    ]
    present = _schemas_with("accounts_user", list(schemas))
    pattern = "%" + needle.replace("\\", "").replace("%", "").replace("_", "\\_") + "%"
    columns = "id, email, full_name, role, is_active, is_staff, is_superuser, date_joined, last_login"
    query = sql.SQL(" UNION ALL ").join(
        sql.SQL("SELECT {name} AS schema, {cols} FROM {table} WHERE email LIKE {pattern}").format(
            name=sql.Literal(schema),
            cols=sql.SQL(columns),
            table=sql.Identifier(schema, "accounts_user"),
            pattern=sql.Literal(pattern),
        )
        for schema in present
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("{} ORDER BY email, schema LIMIT {}").format(query, sql.Literal(limit)).as_string(cursor.connection)
        )
        names = [c.name for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def sync_runs(*, limit: int = 50) -> list[SyncRun]:
    return list(SyncRun.objects.order_by("-started_at")[:limit])
