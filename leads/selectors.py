"""Reads for leads."""

from __future__ import annotations

from django.db.models import QuerySet

from leads.models import Lead


def lead_list(*, source: str = "", status: str = "") -> QuerySet[Lead]:
    leads = Lead.objects.select_related("user")
    if source:
        leads = leads.filter(source=source)
    if status:
        leads = leads.filter(status=status)
    return leads
