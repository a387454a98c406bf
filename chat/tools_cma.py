"""``run_cma``: a comparative market analysis from the assistant, through the CMA engine's one
entry (``cma.services.cma_report_create``): the plan's CMA allowance is checked and spent
there (Investor plans; others are told how to get it), the report is saved in the site's
schema and its page is linked."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from chat.registry import Tool, ToolContext, ToolError, register
from config.features import feature_on


def run_cma(ctx: ToolContext, args: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    from cma.engine import CmaError
    from cma.services import CmaInputs, CmaNotAllowed, cma_report_create

    if not args.get("listingKey") and not args.get("address"):
        raise ToolError("invalid_arguments", "Give a listingKey or an address.", {"listingKey": "or address"})
    inputs = CmaInputs(listing=args.get("listingKey", ""), address=args.get("address", ""))
    try:
        report, ent = cma_report_create(
            user=ctx.user,
            inputs=inputs,
            scope=ctx.scope,
            schema_name=ctx.schema,
            visitor_id=ctx.anonymous_id or None,
            via="chat",
        )
    except CmaNotAllowed as e:
        raise ToolError(
            "upgrade_required",
            "CMA reports come with the Investor plans; the visitor can upgrade on the pricing page.",
            {"upgrade": "/billing/pricing/", "plan": e.entitlement.plan},
        ) from None
    except CmaError as e:
        raise ToolError("invalid_arguments", str(e), {e.field or "listingKey": e.code}) from None
    r = report.result
    content = {
        "address": report.address,
        "estimate": r.get("estimate"),
        "low": r.get("low"),
        "high": r.get("high"),
        "confidence": r.get("confidence"),
        "comparables": len(r.get("comps") or []),
        "reportsLeft": ent.remaining,
    }
    url = reverse("cma:report", args=[report.public_id])
    return content, {"kind": "cma", **content, "url": url}


register(
    Tool(
        "run_cma",
        "A comparative market analysis (estimated value, range, confidence) of a listing or an address, "
        "from recent comparable sales. Needs an Investor plan; saves a report the visitor can open.",
        {
            "type": "object",
            "properties": {
                "listingKey": {"type": "string", "minLength": 1, "maxLength": 64},
                "address": {"type": "string", "minLength": 5, "maxLength": 300},
            },
            "additionalProperties": False,
        },
        run_cma,
        writes=True,
        available=lambda ctx: feature_on("cma"),
    )
)
