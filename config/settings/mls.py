"""MLS sources, declared in the environment: an operator adds an MLS without code.

``MLS_SOURCES`` lists the source ids (``gps,crmls,hdmls``); each id's variables are
``MLS_<ID>_NAME``, ``_CREDIT`` (the footer's IDX credit), ``_PROTOCOL`` (spark | reso), ``_URL`` (Spark API host, or the RESO service
root), ``_TOKEN`` (a bearer token) or ``_CLIENT_ID``/``_CLIENT_SECRET``/``_TOKEN_URL``/``_SCOPE``
(OAuth2 client credentials), ``_MLS_ID`` (Spark: a data share's MlsId), ``_ORIGINATING_SYSTEM``
(RESO: OriginatingSystemName), ``_SCHEDULE``, ``_LOOKUPS`` (JSON override table), ``_TIMEZONE``.
Every variable is in ``.env.example``. ``MLS_SOURCES`` below is the one declaration of the
sources: the sync, the beat schedule, the platform admin and the onboarding wizard read it
(through ``core.mls_sources``). Credentials are checked when a source is used, not here.
"""

import json
import re

from django.core.exceptions import ImproperlyConfigured

from config.env import env

# The two Spark-served MLSs of the seed keep their old variables as defaults.
SPARK_BASE_URL = env("SPARK_BASE_URL", default="http://127.0.0.1:8765")
SPARK_USER_AGENT = env("SPARK_USER_AGENT", default="ChatRealty/1.0")
_SEED = {
    "gps": {
        "name": "Greater Palm Springs (GPS)",
        "credit": "the Greater Palm Springs MLS",
        "protocol": "spark",
        "url": SPARK_BASE_URL,
    },
    "crmls": {"name": "California Regional MLS (CRMLS)", "credit": "CRMLS", "protocol": "spark", "url": SPARK_BASE_URL},
}
MLS_SYNC_MODES = ("full", "incremental", "status", "closed", "photos")
MLS_DEFAULT_SCHEDULE = {"incremental": "0 6,18 * * *", "status": "30 2,14 * * *", "closed": "0 10 * * *"}


def _schedule(sid: str, text: str) -> dict[str, str]:
    """``"incremental 0 6,18 * * *; closed 0 10 * * *"`` -> {mode: cron}; ``off``: no beat entries."""
    if not text.strip():
        return dict(MLS_DEFAULT_SCHEDULE)
    if text.strip().lower() == "off":
        return {}
    out = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        mode, _, cron = part.partition(" ")
        if mode not in MLS_SYNC_MODES or len(cron.split()) != 5:
            raise ImproperlyConfigured(
                f"MLS_{sid.upper()}_SCHEDULE: {part!r} is not '<mode> <5-field cron>' (modes: {MLS_SYNC_MODES})"
            )
        out[mode.strip()] = " ".join(cron.split())
    return out


def _lookups(sid: str, text: str) -> dict[str, dict[str, str]]:
    if not text.strip():
        return {}
    try:
        table = json.loads(text)
    except ValueError as exc:
        raise ImproperlyConfigured(f"MLS_{sid.upper()}_LOOKUPS is not JSON: {exc}") from exc
    if not isinstance(table, dict) or not all(
        isinstance(values, dict) and all(isinstance(v, str) for v in values.values()) for values in table.values()
    ):
        raise ImproperlyConfigured(
            f"MLS_{sid.upper()}_LOOKUPS must map field -> {{local value: standard value}}, e.g. "
            '{"StandardStatus": {"Backup Offer": "Active Under Contract"}}'
        )
    return table


def _source(sid: str) -> dict:
    seed = _SEED.get(sid, {})
    var = f"MLS_{sid.upper()}_"
    return {
        "name": env(f"{var}NAME", default=seed.get("name", sid)),
        "credit": env(f"{var}CREDIT", default=seed.get("credit", "")),
        "protocol": env(f"{var}PROTOCOL", default=seed.get("protocol", "reso")).lower(),
        "url": env(f"{var}URL", default=seed.get("url", "")),
        "token": env(f"{var}TOKEN", default=env(f"SPARK_{sid.upper()}_API_KEY", default="")),
        "client_id": env(f"{var}CLIENT_ID", default=""),
        "client_secret": env(f"{var}CLIENT_SECRET", default=""),
        "token_url": env(f"{var}TOKEN_URL", default=""),
        "scope": env(f"{var}SCOPE", default=""),
        "mls_id": env(f"{var}MLS_ID", default=""),
        "originating_system": env(f"{var}ORIGINATING_SYSTEM", default=""),
        "schedule": _schedule(sid, env(f"{var}SCHEDULE", default="")),
        "lookups": _lookups(sid, env(f"{var}LOOKUPS", default="")),
        "timezone": env(f"{var}TIMEZONE", default="America/Los_Angeles"),
        "user_agent": SPARK_USER_AGENT,
    }


def _ids(ids: list[str]) -> list[str]:
    for sid in ids:
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,15}", sid):
            raise ImproperlyConfigured(f"MLS_SOURCES: {sid!r} is not a source id (a-z, 0-9, _; at most 16)")
    return ids


MLS_SOURCES = {sid: _source(sid) for sid in _ids(env.list("MLS_SOURCES", default=["gps", "crmls"]))}
# Closed sales replicated on a source's first closed run: CloseDate within this many days.
MLS_CLOSED_LOOKBACK_DAYS = env.int("MLS_CLOSED_LOOKBACK_DAYS", default=3 * 365)
# How long a RESO server's $metadata is reused before it is read again.
MLS_METADATA_TTL_S = env.int("MLS_METADATA_TTL_S", default=24 * 3600)
# The 2dsphere index serves ad-hoc geo queries on MongoDB Atlas; search itself runs on the
# read model, and SecantusDB orders $near wrongly, so dev and CI may skip its ~35 s build.
MLS_GEO_INDEX = env.bool("MLS_GEO_INDEX", default=True)
