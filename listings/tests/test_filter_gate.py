"""Advanced filters (Pro and up): the one check, per plan, and saved searches refusing them
with the upgrade message. With the feature switched off every filter is open."""

from __future__ import annotations

from typing import Any

import pytest

from listings.filter_gate import ADVANCED_PARAMS, advanced_filters_check
from listings.services import SavedSearchDenied, saved_search_create
from listings.tests.pages_support import subscribe, user_in

PLANS = {None: False, "pro": True, "ultimate": True, "investor_1": True, "investor_3": True}


@pytest.fixture
def advanced_on(settings: Any) -> None:
    settings.FEATURES = {**settings.FEATURES, "advanced_filters": True}


@pytest.mark.usefixtures("advanced_on")
@pytest.mark.parametrize("plan", list(PLANS))
def test_gate_per_plan(sarah_site: Any, plan: str | None) -> None:
    from django_tenants.utils import schema_context

    user = user_in(sarah_site, f"gate-{plan}@example.com")
    if plan:
        subscribe(sarah_site, user, plan)
    with schema_context(sarah_site.schema_name):
        for param in ADVANCED_PARAMS:
            denied = advanced_filters_check(user=user, params={param: 1, "city": "Palm Springs"})
            assert (denied is None) is PLANS[plan], (plan, param)
            if denied:
                assert denied.params == (param,) and "Pro plan" in denied.message and denied.entitlement.upgrade
        assert advanced_filters_check(user=user, params={"city": "x", "minPrice": 1}) is None  # basic filters: everyone
        if not PLANS[plan]:
            with pytest.raises(SavedSearchDenied) as e:
                saved_search_create(user=user, name="HOA", query={"maxHoa": ["300"]})
            assert e.value.code == "upgrade_required" and "HOA limit" in e.value.message
        else:
            assert saved_search_create(user=user, name="HOA", query={"maxHoa": ["300"]}).pk


def test_everything_open_while_switched_off(sarah_site: Any, settings: Any) -> None:
    from django_tenants.utils import schema_context

    settings.FEATURES = {**settings.FEATURES, "advanced_filters": False}
    user = user_in(sarah_site, "gate-off@example.com")
    with schema_context(sarah_site.schema_name):
        assert advanced_filters_check(user=user, params=["polygon", "maxHoa"]) is None
