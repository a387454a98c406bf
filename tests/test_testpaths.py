"""Every app's own tests run in ``make test``: pytest only collects the folders named in
pyproject's ``testpaths``, so an app added without its name there has tests that never run."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_with_tests_is_in_testpaths() -> None:
    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    collected = set(options["testpaths"])
    with_tests = {
        p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists() and (p / "tests").is_dir()
    }
    assert with_tests - collected == set()
