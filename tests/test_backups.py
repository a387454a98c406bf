"""Backups: a restore drill. Sarah's site is backed up (schema, media, network records) and
restored beside the original under a new name; the copy answers the same pages and holds the
same rows and files, and the original is untouched.

pg_dump runs in another process, so the data must be committed: this test steps outside
pytest-django's per-test transaction and removes what it made."""

from __future__ import annotations

import re
import shutil
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from conftest import in_own_thread
from tenants.backups import _row_counts, backups_prune
from tenants.models import Domain, Tenant

DRILL = "sarah-drill"
EMAIL = "drill-buyer@example.com"


def _normalized(body: bytes, host: str) -> str:
    text = body.decode().replace(host, "HOST")
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", text)
    return re.sub(r'(nonce|data-csrf|content)="[A-Za-z0-9_\-]{20,}"', r'\1="TOKEN"', text)


def _page_paths(schema: str) -> list[str]:
    from wagtail.models import Page

    with schema_context(schema):
        return sorted({p.url_path.split("/", 2)[-1] for p in Page.objects.live().filter(depth__gte=2)})


def _compare_pages() -> list[tuple[str, int, int, bool]]:
    """Every live page of the restored site next to the original's: statuses and bodies."""
    original, restored = Client(HTTP_HOST="sarah.localhost"), Client(HTTP_HOST=f"{DRILL}.localhost")
    out = []
    for path in ["", *_page_paths("sarah_drill")]:
        a, b = original.get(f"/{path}"), restored.get(f"/{path}")
        same = _normalized(a.content, "sarah.localhost") == _normalized(b.content, f"{DRILL}.localhost")
        out.append((path, a.status_code, b.status_code, same))
    return out


def _cleanup(media_root: Path) -> None:
    from accounts.models import User

    with connection.cursor() as cursor:
        cursor.execute('DROP SCHEMA IF EXISTS "sarah_drill" CASCADE')
    Domain.objects.filter(tenant__slug=DRILL).delete()
    Tenant.objects.filter(slug=DRILL).delete()
    with schema_context("sarah"):
        from listings.models import SavedSearch

        SavedSearch.objects.filter(user__email=EMAIL).delete()
        User.objects.filter(email=EMAIL).delete()
    shutil.rmtree(media_root / "sarah_drill", ignore_errors=True)
    shutil.rmtree(media_root / "sarah" / "drill", ignore_errors=True)


def test_a_site_restored_under_a_new_name_answers_the_same(
    settings: Any, tmp_path: Path, django_db_setup: None, django_db_blocker: Any
) -> None:
    from accounts.models import User
    from listings.models import SavedSearch

    media = Path(settings.MEDIA_ROOT)
    with django_db_blocker.unblock():
        in_own_thread(lambda: _cleanup(media))
        try:

            def content() -> None:
                with schema_context("sarah"):
                    user = User.objects.create_user(email=EMAIL, password="a-long-enough-pass-2026")
                    SavedSearch.objects.create(user=user, name="Drill", query={"city": ["Indio"]})

            in_own_thread(content)
            (media / "sarah" / "drill").mkdir(parents=True, exist_ok=True)
            (media / "sarah" / "drill" / "floorplan.pdf").write_bytes(b"%PDF-1.4 drill\n")
            before = in_own_thread(lambda: _row_counts("sarah"))

            out = StringIO()
            in_own_thread(lambda: call_command("site_backup", "sarah", "--out", str(tmp_path), stdout=out))
            [archive] = list(tmp_path.glob("sarah-*.tar.gz"))
            in_own_thread(lambda: call_command("site_restore", str(archive), "--as", DRILL, stdout=out))

            # The same rows, table by table, and the same files.
            assert in_own_thread(lambda: _row_counts("sarah_drill")) == before
            assert (media / "sarah_drill" / "drill" / "floorplan.pdf").read_bytes() == b"%PDF-1.4 drill\n"

            def restored_state() -> tuple[str, Any]:
                from wagtail.models import Site

                with schema_context("sarah_drill"):
                    hostname = Site.objects.get(is_default_site=True).hostname
                    return hostname, SavedSearch.objects.get(user__email=EMAIL).query

            assert in_own_thread(restored_state) == (f"{DRILL}.localhost", {"city": ["Indio"]})
            # The same pages.
            pages = in_own_thread(_compare_pages)
            assert len(pages) > 3
            for path, status_a, status_b, same in pages:
                assert (path, status_a) == (path, 200)
                assert (path, status_b, same) == (path, 200, True)
            # The original is untouched, and a second restore under a taken name is refused.
            assert in_own_thread(lambda: _row_counts("sarah")) == before
            with pytest.raises(CommandError, match="already exists"):
                in_own_thread(lambda: call_command("site_restore", str(archive), "--as", DRILL, stdout=out))
        finally:
            connection.close()
            in_own_thread(lambda: _cleanup(media))


def test_old_backups_are_pruned_after_seven_days(tmp_path: Path) -> None:
    names = ["sarah-20261120T020000Z", "sarah-20261129T020000Z", "network-20261204T020000Z", "notes"]
    for name in names:
        (tmp_path / f"{name}.tar.gz").write_bytes(b"x")
    from datetime import UTC, datetime

    removed = backups_prune(out_dir=tmp_path, keep_days=7, now=datetime(2026, 12, 5, 3, tzinfo=UTC))
    assert [p.name for p in removed] == ["sarah-20261120T020000Z.tar.gz"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{n}.tar.gz" for n in names[1:])


def test_network_backup_holds_the_public_schema_and_is_not_restored_as_a_site(
    tmp_path: Path, django_db_setup: None, django_db_blocker: Any
) -> None:
    import json
    import tarfile

    out = StringIO()
    with django_db_blocker.unblock():
        in_own_thread(lambda: call_command("site_backup", "--network", "--out", str(tmp_path), stdout=out))
        [archive] = list(tmp_path.glob("network-*.tar.gz"))
        with tarfile.open(archive) as tar:
            manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
            assert tar.getmember("schema.dump").size > 0
        assert (manifest["kind"], manifest["schema"]) == ("network", "public")
        assert manifest["rows"]["tenants_tenant"] >= 3  # public, template, sarah, mike
        with pytest.raises(CommandError, match="network backup"):
            in_own_thread(lambda: call_command("site_restore", str(archive), "--as", "net-copy", stdout=out))
