"""Which search filters are advanced (Pro and up), and the one check every entry point calls:
the search API, the search and map pages, saved searches and the chat tool. A visitor without
the plan gets a clear refusal naming the filters and the plan that has them, never a silently
emptier result.

Parameter names are the search API's (``listings.validation.SEARCH_PARAMS``); chat and saved
searches speak the same names. The OpenAPI document marks these parameters with
``x-required-plan`` (``plan_marked``; ``api.openapi`` lifts it onto the parameter).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from api.errors import ApiError
from billing.plans import Feature, Plan, plans_on_sale
from billing.selectors import Entitlement, entitlement_check
from config.features import feature_on

# What a buyer uses to narrow a search like an investor or a specialist would; the everyday
# filters (place, price, beds, baths, size, type, pool, open house) stay free for everyone.
# Price drops are not in the search model yet (no price history per listing in the read model).
ADVANCED_PARAMS: dict[str, str] = {
    "maxHoa": "HOA limit",
    "landLease": "land lease",
    "newerThanDays": "days on market",
    "polygon": "drawn area",
    "maxPricePerSqft": "$/sq ft",
    "minYearBuilt": "year built",
    "minLotSqft": "lot size",
}
UPGRADE_URL = "/billing/pricing/"


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

    def as_extra(self) -> dict[str, Any]:
        """The keys an API or chat refusal adds to the one error shape."""
        lowest = lowest_plan()
        return {
            "upgrade": True,
            "upgrade_url": UPGRADE_URL,
            "feature": Feature.ADVANCED_FILTERS.value,
            "plan": self.entitlement.plan,
            "required_plan": lowest.key if lowest else None,
        }

    def api_error(self) -> ApiError:
        return ApiError(403, "upgrade_required", self.message, self.as_fields(), **self.as_extra())


def lowest_plan() -> Plan | None:
    """The cheapest plan on sale with advanced filters (Pro today)."""
    plans = [p for p in plans_on_sale() if Feature.ADVANCED_FILTERS in p.switches]
    return min(plans, key=lambda p: p.price_cents) if plans else None


def lowest_plan_name() -> str:
    lowest = lowest_plan()
    return lowest.name if lowest else "a paid"


def advanced_params_used(params: Iterable[str]) -> tuple[str, ...]:
    given = set(params)
    return tuple(p for p in ADVANCED_PARAMS if p in given)


def advanced_filters_check(*, user: Any, params: Iterable[str], visitor_id: str | None = None) -> FilterDenied | None:
    """None when the visitor may use every filter in ``params`` (parameter names, or a parsed
    values dict); the refusal otherwise. While the ``advanced_filters`` feature is off every
    filter is open to everyone (nothing sells them yet)."""
    used = advanced_params_used(params)
    if not used or not feature_on("advanced_filters"):
        return None
    ent = entitlement_check(user=user, feature=Feature.ADVANCED_FILTERS, visitor_id=visitor_id)
    return None if ent.allowed else FilterDenied(used, ent)


def locked_filters(*, user: Any, visitor_id: str | None = None) -> frozenset[str]:
    """The advanced parameters this visitor may not use (empty when they may use them all):
    the pages show those controls locked, with the upgrade prompt beside them."""
    denied = advanced_filters_check(user=user, params=ADVANCED_PARAMS, visitor_id=visitor_id)
    return frozenset(denied.params) if denied else frozenset()


def request_filters_check(request: Any, params: Iterable[str]) -> None:
    """The API's gate: raises the 403 upgrade error (one error shape) for the request's
    account (API key owner, else the session's user, else the cookie-identified visitor)."""
    auth = getattr(request, "auth", None)
    user = auth if getattr(auth, "is_authenticated", False) else getattr(request, "user", None)
    denied = advanced_filters_check(user=user, params=params, visitor_id=getattr(request, "anonymous_id", None))
    if denied is not None:
        raise denied.api_error()


def plan_marked(params: Sequence[Any]) -> tuple[Any, ...]:
    """The parameter table with the advanced rows saying which plan they need (description
    and ``x-required-plan`` in their schema), for the OpenAPI document."""
    key, name = "pro", "Pro"
    lowest = lowest_plan()
    if lowest is not None:
        key, name = lowest.key, lowest.name
    return tuple(
        dataclasses.replace(
            p,
            description=f"{p.description} Needs the {name} plan or higher (403 upgrade_required otherwise).",
            schema={**p.schema, "x-required-plan": key},
        )
        if p.name in ADVANCED_PARAMS
        else p
        for p in params
    )
