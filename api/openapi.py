"""The OpenAPI document's finishing touches that django-ninja does not do itself.

A query parameter whose JSON schema carries ``x-required-plan`` (the plan a parameter needs,
e.g. the advanced search filters: ``listings.filter_gate.plan_marked``) gets the extension on
the parameter object too, where clients and docs UIs look for parameter-level metadata.
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

PLAN_EXTENSION = "x-required-plan"


def plan_extensions_lift(document: dict[str, Any]) -> dict[str, Any]:
    for path in document.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict):
                continue
            for param in operation.get("parameters", ()):
                schema = param.get("schema", {})
                plan = schema.get(PLAN_EXTENSION) or schema.get("items", {}).get(PLAN_EXTENSION)
                if plan:
                    param[PLAN_EXTENSION] = plan
    return document


class PlanAwareNinjaAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> OpenAPISchema:
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        plan_extensions_lift(document)
        return document
