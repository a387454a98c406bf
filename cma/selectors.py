"""Reads: the closed sales the engine values against, and saved reports."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from listings.readmodel.memo import SnapshotMemo
from listings.readmodel.model import ReadModel

from .models import CmaReport
from .sales import Sales

_sales_memo = SnapshotMemo(max_entries=2)


def closed_sales(*, model: ReadModel) -> Sales:
    """The closed-sales read model as the engine's table, built once per snapshot."""
    hit = _sales_memo.get(model.version, ("sales",))
    if hit is None:
        hit = _sales_memo.put(model.version, ("sales",), Sales.from_read_model(model))
    return hit


def cma_report_list(*, user: Any, limit: int = 50) -> QuerySet[CmaReport]:
    """The user's reports on this site (the current schema), newest first."""
    if user is None or not user.is_authenticated:
        return CmaReport.objects.none()
    return CmaReport.objects.filter(user=user).defer("result", "inputs")[:limit]


def cma_report_get(*, public_id: Any, user: Any) -> CmaReport | None:
    """A report its owner may open; None for anyone else (and for other sites' ids: each
    site's reports live in its own schema)."""
    if user is None or not user.is_authenticated:
        return None
    return CmaReport.objects.filter(public_id=public_id, user=user).first()
