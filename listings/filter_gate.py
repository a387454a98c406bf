"""Which search filters are advanced (Pro and up), and the one check every entry point calls:
the search API, the search and map pages, saved searches and the chat tool. A visitor without
the plan gets a clear refusal naming the filters and the plan that has them, never a silently
emptier result.

Parameter names are the search API's (``listings.validation.SEARCH_PARAMS``); chat and saved
searches speak the same names. The OpenAPI document marks these parameters with
``x-required-plan``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from billing.plans import Feature, plans_on_sale
from billing.selectors import Entitlement, entitlement_check
from config.features import feature_on

# $/sq ft, year built, lot size and price drops join this set when the search model has them.
ADVANCED_PARAMS: dict[str, str] = {
    "maxHoa": "HOA limit",
    "landLease": "land lease",
    "newerThanDays": "days on market",
    "polygon": "drawn area",
}


@dataclass(frozen=True)
class FilterDenied:
    params: tuple[str, ...]
    entitlement: Entitlement

    @property
    def message(self) -> str:
        names = " and ".join(ADVANCED_PARAMS[p] for p in self.params)
        return f"Filtering by {names} needs the {lowest_plan_name()} plan or higher. Upgrade to use these filters."

    def as_fields(self) -> dict[str, str]:
        return {p: f"needs the {lowest_plan_name()} plan" for p in self.params}


def lowest_plan_name() -> str:
    """The cheapest plan on sale with advanced filters (Pro today)."""
    plans = [p for p in plans_on_sale() if Feature.ADVANCED_FILTERS in p.switches]
    return min(plans, key=lambda p: p.price_cents).name if plans else "a paid"


def advanced_params_used(params: Iterable[str]) -> tuple[str, ...]:
    return tuple(p for p in ADVANCED_PARAMS if p in set(params))


def advanced_filters_check(*, user: Any, params: Iterable[str], visitor_id: str | None = None) -> FilterDenied | None:
    """None when the visitor may use every filter in ``params`` (parameter names, or a parsed
    values dict); the refusal otherwise. While the ``advanced_filters`` feature is off every
    filter is open to everyone (nothing sells them yet)."""
    used = advanced_params_used(params)
    if not used or not feature_on("advanced_filters"):
        return None
    ent = entitlement_check(user=user, feature=Feature.ADVANCED_FILTERS, visitor_id=visitor_id)
    return None if ent.allowed else FilterDenied(used, ent)
