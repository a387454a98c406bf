"""What a feed client yields and what it is asked for, whatever protocol it speaks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

EXPANSIONS = ("Photos", "OpenHouses", "VirtualTours", "Rooms", "Units")


@dataclass(frozen=True, slots=True)
class Page:
    records: list[dict[str, Any]]  # Spark-shaped: {"Id", "StandardFields": {...}}
    next_token: str | None  # resumes *after* this page; None on the last page


@dataclass
class Query:
    """What to replicate, independent of protocol; each client renders its own filter dialect."""

    modified_after: datetime | None = None
    status: str | None = None  # a RESO StandardStatus (display name)
    closed_since: date | None = None  # CloseDate on or after
    keys: list[str] | None = None
    select: list[str] | None = None
    expand: tuple[str, ...] = EXPANSIONS
