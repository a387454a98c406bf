"""CSV of leads and of the timeline, and import of leads from CSV: every row is checked first
(a preview with each bad row's errors) and the good rows are written together or not at all."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from leads.models import Activity, Lead

LEAD_COLUMNS = [
    "id",
    "created_at",
    "source",
    "stage",
    "name",
    "email",
    "phone",
    "listing_key",
    "assigned_to",
    "message",
]
TIMELINE_COLUMNS = ["created_at", "contact", "email", "lead_id", "kind", "text", "by"]
IMPORT_COLUMNS = ["name", "email", "phone", "message", "stage"]
MAX_IMPORT_ROWS = 5000
MAX_IMPORT_BYTES = 2_000_000


def _safe(value: Any) -> str:
    """Cells a spreadsheet would run as a formula are quoted (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_lines(header: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    """A CSV download's lines, every cell guarded against formula injection."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    yield out.getvalue()
    for row in rows:
        out.seek(0)
        out.truncate()
        writer.writerow([_safe(v) for v in row])
        yield out.getvalue()


def leads_csv(leads: Iterable[Lead]) -> Iterator[str]:
    rows = (
        [
            lead.pk,
            lead.created_at.isoformat(),
            lead.source,
            lead.status,
            lead.name,
            lead.email,
            lead.phone,
            lead.listing_key,
            lead.assigned_to.email if lead.assigned_to else "",
            lead.message,
        ]
        for lead in leads
    )
    return csv_lines(LEAD_COLUMNS, rows)


def timeline_csv(activities: Iterable[Activity]) -> Iterator[str]:
    rows = (
        [
            a.created_at.isoformat(),
            a.contact.name,
            a.contact.email,
            a.lead_id or "",
            a.kind,
            a.text,
            a.actor.email if a.actor else "",
        ]
        for a in activities
    )
    return csv_lines(TIMELINE_COLUMNS, rows)


@dataclass
class ImportRow:
    line: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportPreview:
    rows: list[ImportRow]
    errors: list[str] = field(default_factory=list)

    @property
    def good(self) -> list[ImportRow]:
        return [r for r in self.rows if not r.errors]

    @property
    def bad(self) -> list[ImportRow]:
        return [r for r in self.rows if r.errors]


def _check_row(line: int, raw: dict[str, Any]) -> ImportRow:
    values = {k: str(raw.get(k) or "").strip() for k in IMPORT_COLUMNS}
    row = ImportRow(line=line, values=values)
    if not values["email"] and not values["phone"]:
        row.errors.append("needs an email or a phone number")
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError:
            row.errors.append(f"email {values['email'][:60]!r} is not valid")
    if values["phone"] and not any(ch.isdigit() for ch in values["phone"]):
        row.errors.append("phone has no digits")
    if len(values["name"]) > 150 or len(values["phone"]) > 32:
        row.errors.append("name or phone too long")
    stage = values["stage"].lower().replace(" ", "_") or Lead.Status.NEW
    if stage not in Lead.Status.values:
        row.errors.append(f"stage {values['stage'][:30]!r} is not one of {', '.join(Lead.Status.values)}")
    values["stage"] = stage
    return row


def import_preview(data: bytes) -> ImportPreview:
    if len(data) > MAX_IMPORT_BYTES:
        return ImportPreview(rows=[], errors=["The file is larger than 2 MB."])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return ImportPreview(rows=[], errors=["The file is not UTF-8 text (save it as CSV UTF-8)."])
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if "email" not in header and "phone" not in header:
        return ImportPreview(rows=[], errors=["The first line must name the columns, with email or phone among them."])
    reader.fieldnames = header
    rows = []
    for number, raw in enumerate(reader, start=2):
        if number - 1 > MAX_IMPORT_ROWS:
            return ImportPreview(rows=[], errors=[f"More than {MAX_IMPORT_ROWS} rows: split the file."])
        rows.append(_check_row(number, raw))
    if not rows:
        return ImportPreview(rows=[], errors=["The file has no rows."])
    return ImportPreview(rows=rows)


@transaction.atomic
def import_commit(preview: ImportPreview, *, actor: Any) -> int:
    """Write the good rows (all or none); duplicates merge into existing people."""
    from leads.services import lead_create, lead_stage_set

    for row in preview.good:
        lead = lead_create(
            source=Lead.Source.IMPORT,
            name=row.values["name"],
            email=row.values["email"],
            phone=row.values["phone"],
            message=row.values["message"],
            data={"import_line": row.line},
            notify=False,
        )
        if row.values["stage"] != Lead.Status.NEW:
            lead_stage_set(lead=lead, stage=row.values["stage"], actor=actor)
    return len(preview.good)
