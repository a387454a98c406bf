"""Sources from configuration (issue 18): the environment declares them, nothing in code."""

from __future__ import annotations

import importlib
import os
from typing import Any

import pytest
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from core.mls_sources import source_choices
from mls_sync.auth import BearerToken, ClientCredentials
from mls_sync.clients import SparkClient, client_for_source
from mls_sync.config import source_config
from mls_sync.reso import ResoWebApiClient
from mls_sync.schedules import mls_beat_schedule

RESO_ENV = {
    "MLS_SOURCES": "gps,desert",
    "MLS_GPS_TOKEN": "gps-key",
    "MLS_DESERT_NAME": "Desert Area MLS",
    "MLS_DESERT_PROTOCOL": "reso",
    "MLS_DESERT_URL": "https://api.example.com/api/v2/OData/desert",
    "MLS_DESERT_CLIENT_ID": "client",
    "MLS_DESERT_CLIENT_SECRET": "secret",
    "MLS_DESERT_TOKEN_URL": "https://api.example.com/oauth2/token",
    "MLS_DESERT_SCOPE": "api",
    "MLS_DESERT_ORIGINATING_SYSTEM": "desert",
    "MLS_DESERT_SCHEDULE": "incremental 15 * * * *; closed 0 4 * * *",
    "MLS_DESERT_LOOKUPS": '{"StandardStatus": {"Backup Offer": "Active Under Contract"}}',
}


def load(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> Any:
    """The MLS settings module as it reads this environment."""
    for name in list(os.environ):
        if name.startswith(("MLS_", "SPARK_")):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    import config.settings.mls as module

    return importlib.reload(module)


def test_sources_come_from_the_environment(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    mls = load(monkeypatch, RESO_ENV)
    settings.MLS_SOURCES = mls.MLS_SOURCES
    assert list(mls.MLS_SOURCES) == ["gps", "desert"]
    assert source_choices() == [("gps", "Greater Palm Springs (GPS)"), ("desert", "Desert Area MLS")]
    desert = source_config("desert")
    assert (desert.protocol, desert.url, desert.scope, desert.originating_system) == (
        "reso",
        "https://api.example.com/api/v2/OData/desert",
        "api",
        "desert",
    )
    assert desert.lookups == {"StandardStatus": {"Backup Offer": "Active Under Contract"}}
    client = client_for_source("desert")
    assert isinstance(client, ResoWebApiClient) and isinstance(client.credentials, ClientCredentials)
    assert client.base_url == desert.url and client.originating_system == "desert"
    assert client.lookup_overrides == {"StandardStatus": {"Backup Offer": "Active Under Contract"}}
    spark = client_for_source("gps")
    assert isinstance(spark, SparkClient) and isinstance(spark.credentials, BearerToken)
    assert spark.credentials.token == "gps-key"
    beat = mls_beat_schedule(mls.MLS_SOURCES)
    assert beat["mls-desert-active"]["kwargs"] == {"source": "desert", "mode": "incremental"}
    assert beat["mls-desert-closed"]["schedule"] == crontab(minute="0", hour="4")
    assert "mls-desert-status" not in beat and "mls-gps-status" in beat  # gps keeps the default schedule


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MLS_SOURCES": "Bad-Id"}, "not a source id"),
        ({"MLS_SOURCES": "x", "MLS_X_SCHEDULE": "hourly"}, "5-field cron"),
        ({"MLS_SOURCES": "x", "MLS_X_SCHEDULE": "fulll 0 1 * * *"}, "modes"),
        ({"MLS_SOURCES": "x", "MLS_X_LOOKUPS": "{oops"}, "not JSON"),
        ({"MLS_SOURCES": "x", "MLS_X_LOOKUPS": '{"StandardStatus": "Active"}'}, "must map field"),
    ],
)
def test_malformed_declarations_fail_at_startup(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        load(monkeypatch, env)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ({"protocol": "reso", "url": ""}, "set MLS_X_URL"),
        ({"protocol": "reso", "url": "https://x"}, "set MLS_X_TOKEN, or MLS_X_CLIENT_ID"),
        ({"protocol": "reso", "url": "https://x", "client_id": "a", "token_url": "https://t"}, "together"),
        ({"protocol": "rets", "url": "https://x", "token": "t"}, "MLS_X_PROTOCOL"),
    ],
)
def test_an_unusable_source_says_which_variable_to_set(settings: Any, source: dict[str, str], message: str) -> None:
    settings.MLS_SOURCES = {"x": {"name": "X", **source}}
    with pytest.raises(ImproperlyConfigured, match=message):
        source_config("x")
    with pytest.raises(ImproperlyConfigured, match="unknown MLS source 'y'"):
        source_config("y")


def test_the_seed_sources_keep_their_old_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    mls = load(monkeypatch, {"SPARK_BASE_URL": "https://replication.sparkapi.com", "SPARK_CRMLS_API_KEY": "k2"})
    assert list(mls.MLS_SOURCES) == ["gps", "crmls"]
    assert mls.MLS_SOURCES["crmls"]["url"] == "https://replication.sparkapi.com"
    assert mls.MLS_SOURCES["crmls"]["token"] == "k2" and mls.MLS_SOURCES["gps"]["token"] == ""


@pytest.fixture(autouse=True)
def _restore_settings_module(monkeypatch: pytest.MonkeyPatch) -> Any:
    yield
    monkeypatch.undo()  # the real environment back, then the module as it reads it
    import config.settings.mls as module

    importlib.reload(module)
