"""Apps that moved into the public schema after a database was first migrated.

``migrate_schemas --shared`` records every migration in the public schema's history, also those
of apps the router kept out of it (then tenant-only: Wagtail and ``cms`` before the flagship
moved onto Wagtail). When such an app later joins ``SHARED_APPS`` its history says "applied"
while its tables were never made, and the next migration or query fails ("relation
cms_homepage does not exist"). A fresh database never has this; an upgraded one does.

``shared_ghost_apps_repair`` finds those apps (history rows, none of their tables) and applies
their migrations for real, in dependency order, data migrations included (Wagtail's root page
and default site), so the public schema ends up as a fresh one would. The history is consistent
throughout: the ghost rows are replaced, never left missing under an applied dependent
(``leads`` depends on ``cms``), which ``migrate`` would refuse.
"""

from __future__ import annotations

import logging

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.graph import MigrationGraph
from django.db.migrations.recorder import MigrationRecorder

logger = logging.getLogger(__name__)


def _shared_labels() -> list[str]:
    labels = []
    for entry in settings.SHARED_APPS:
        config = next((c for c in apps.get_app_configs() if c.name == entry), None)
        if config is not None:
            labels.append(config.label)
    return labels


def shared_ghost_apps_find() -> list[str]:
    """Apps of ``SHARED_APPS`` recorded as migrated in the public schema with none of their
    tables there (the connection must be on the public schema)."""
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return []
    recorded = set(recorder.migration_qs.values_list("app", flat=True).distinct())
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
    ghosts = []
    for label in _shared_labels():
        if label not in recorded:
            continue
        own = {m._meta.db_table for m in apps.get_app_config(label).get_models() if m._meta.managed}
        if own and not own & tables:
            ghosts.append(label)
    return ghosts


def shared_ghost_apps_repair() -> list[str]:
    """Apply the ghost apps' recorded migrations for real; returns the apps repaired. All in
    one transaction: if any step fails the history is as it was."""
    connection.set_schema_to_public()  # type: ignore[attr-defined]
    ghosts = shared_ghost_apps_find()
    if not ghosts:
        return []
    recorder = MigrationRecorder(connection)
    with transaction.atomic():
        ghost_rows = recorder.migration_qs.filter(app__in=ghosts)
        recorded = list(ghost_rows.values_list("app", "name"))
        ghost_rows.delete()
        # Built after the delete, so the ghost migrations count as unapplied; ``migrate``
        # would refuse this history (applied dependents), the executor applies it.
        executor = MigrationExecutor(connection)
        targets = _latest_recorded(recorded, graph=executor.loader.graph)
        state = executor._create_project_state(with_applied_migrations=True)  # type: ignore[attr-defined]
        for migration, _backwards in executor.migration_plan(targets):
            state = executor.apply_migration(state, migration)
            # Checks deferred by one migration's data writes must fire before the next one
            # alters those tables ("pending trigger events"); migrate commits in between.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    logger.warning("ran the recorded migrations of %s in the public schema", ", ".join(ghosts))
    return ghosts


def _latest_recorded(rows: list[tuple[str, str]], *, graph: MigrationGraph) -> list[tuple[str, str]]:
    """Per app, the recorded migration no other recorded one of that app depends on."""
    keys = {key for key in rows if key in graph.nodes}
    latest = []
    for key in keys:
        children = {child for child in graph.node_map[key].children if child[0] == key[0]}
        if not children & keys:
            latest.append(key)
    return sorted(latest)
