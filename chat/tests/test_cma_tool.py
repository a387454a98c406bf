"""``run_cma`` from the assistant: through the CMA engine's one entry, tier-gated by the plan."""

from __future__ import annotations

from typing import Any

import pytest
from django_tenants.utils import schema_context

from chat.registry import ToolContext, tool_run
from listings.selectors import site_scope
from listings.tests.pages_support import RICH_KEY, subscribe, user_in

pytestmark = pytest.mark.django_db


def ctx(tenant: Any, user: Any = None) -> ToolContext:
    return ToolContext(
        schema=tenant.schema_name,
        scope=site_scope(tenant=tenant),
        site_name=tenant.name,
        is_flagship=tenant.is_public,
        user=user,
        anonymous_id="c" * 32,
    )


def test_a_free_visitor_is_told_how_to_get_a_cma(cma_store: Any, sarah_site: Any) -> None:
    with schema_context(sarah_site.schema_name):
        result = tool_run("run_cma", {"listingKey": RICH_KEY}, ctx(sarah_site))
    assert not result.ok and result.content["error"] == "upgrade_required"


def test_an_investor_gets_an_estimate_and_a_saved_report(cma_store: Any, sarah_site: Any) -> None:
    user = user_in(sarah_site, "chat-investor@example.com")
    subscribe(sarah_site, user, "investor_1")
    with schema_context(sarah_site.schema_name):
        from cma.models import CmaReport

        result = tool_run("run_cma", {"listingKey": RICH_KEY}, ctx(sarah_site, user))
        assert result.ok, result.content
        assert (
            result.content["estimate"] and result.content["low"] <= result.content["estimate"] <= result.content["high"]
        )
        assert result.display["url"].startswith("/cma/")
        assert CmaReport.objects.filter(user=user, via="chat").count() == 1
        assert result.content["reportsLeft"] == 9
    bad = tool_run("run_cma", {}, ctx(sarah_site, user))
    assert not bad.ok and bad.content["error"] == "invalid_arguments"
