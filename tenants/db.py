"""Moved to ``core.tenancy``; this name stays until the last importer (cms leads) has moved."""

from core.tenancy import current_schema, use_public_schema

__all__ = ["current_schema", "use_public_schema"]
