"""python manage.py mls_sync --source gps|crmls|all --mode full|incremental|status|closed|photos"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.dateparse import parse_datetime
from tqdm import tqdm

from core.mls_sources import source_ids
from mls_sync.pipeline import MODES
from mls_sync.services import sync_run_start


class Command(BaseCommand):
    help = "Replicate MLS listings from the Spark / RESO feeds into the listings store."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", default="all", help="gps, crmls or all")
        parser.add_argument("--mode", default="incremental", choices=MODES)
        parser.add_argument("--since", help="ISO timestamp: replicate changes after it (overrides the checkpoint)")
        parser.add_argument("--dry-run", action="store_true", help="fetch and compare, write nothing")

    def handle(self, *args: Any, source: str, mode: str, since: str | None, dry_run: bool, **options: Any) -> None:
        since_dt = parse_datetime(since) if since else None
        if since and since_dt is None:
            raise CommandError(f"--since {since!r} is not an ISO timestamp")
        if since_dt is not None and since_dt.tzinfo is None:
            from datetime import UTC

            since_dt = since_dt.replace(tzinfo=UTC)
        sources = source_ids() if source == "all" else [source]
        failed = False
        for src in sources:
            with tqdm(desc=f"{src} {mode}", unit="rec", disable=options.get("verbosity", 1) == 0) as bar:
                try:
                    run = sync_run_start(source=src, mode=mode, since=since_dt, dry_run=dry_run, progress=bar.update)
                except Exception as exc:
                    self.stderr.write(self.style.ERROR(f"{src} {mode}: failed: {exc}"))
                    failed = True
                    continue
            self.stdout.write(
                f"{src} {mode}{' (dry run)' if dry_run else ''}: {run.status} in {run.duration_s:.1f}s - "
                f"fetched {run.fetched}, inserted {run.inserted}, updated {run.updated}, unchanged {run.unchanged}, "
                f"moved {run.moved}, removed {run.removed}, purged {run.purged}, quarantined {run.quarantined}, "
                f"errors {run.errors}, retries {run.retries}"
            )
        if failed:
            raise CommandError("at least one source failed; see above")
