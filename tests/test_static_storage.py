"""Production's static files storage (core.staticfiles): the manifest's hashed URLs, remembered
per process, the same answers as whitenoise's storage; a name the manifest lacks still fails
every time (never remembered)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import override_settings
from whitenoise.storage import CompressedManifestStaticFilesStorage

from core.staticfiles import StaticFilesStorage


def test_urls_are_the_manifests_and_a_missing_name_always_fails(tmp_path: Path) -> None:
    manifest = {"paths": {"css/site.css": "css/site.0123abcd.css", "js/site.js": "js/site.4567ef01.js"}}
    (tmp_path / "staticfiles.json").write_text(json.dumps({**manifest, "version": "1.1", "hash": "x"}))
    ours = StaticFilesStorage(location=str(tmp_path), base_url="/static/")
    theirs = CompressedManifestStaticFilesStorage(location=str(tmp_path), base_url="/static/")
    with override_settings(DEBUG=False):
        for _ in range(2):  # the second round is remembered
            for name in ("css/site.css", "js/site.js"):
                assert ours.url(name) == theirs.url(name) == f"/static/{manifest['paths'][name]}"
        for _ in range(2):
            with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
                ours.url("css/missing.css")
