"""The change log the in-memory search index reads (``rentals.availability``)."""

from __future__ import annotations

from django.db import models


class AvailabilityChange(models.Model):
    """A home whose searchable fields or calendar blocks changed, written by PostgreSQL triggers
    on ``rentals_property`` and ``rentals_calendarblock`` (migration 0004) in the writing
    transaction, with that transaction's id: every write is logged, the ORM's, COPY's and raw
    SQL's alike. No foreign key: a deleted home is logged too."""

    property_id = models.IntegerField()
    xact = models.BigIntegerField(db_index=True)
    created_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.property_id} @ {self.xact}"
