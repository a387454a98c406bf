"""The plans ChatRealty sells, defined once, in code.

Stripe is the source of truth for *who has paid*; this module is the source of truth for *what
each plan is and what it allows*. Stripe products and prices are created from it by
``manage.py billing_sync_plans`` and found again by their lookup keys, so price ids never
appear in settings or code and re-running the sync never duplicates anything.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from config.features import feature_on


class Audience(enum.StrEnum):
    # Consumer plans are bought by a site's users and live in that site's schema; the agent
    # plan is bought by an agent on the network and lives in the public schema.
    CONSUMER = "consumer"
    AGENT = "agent"
    # Service providers of the directory (issue 17): network accounts, public schema.
    PROVIDER = "provider"


class Feature(enum.StrEnum):
    """Everything an entitlement check can be asked about."""

    # Metered: counted per billing period and reset at each period start.
    CHAT_MESSAGES = "chat_messages"
    CMA_REPORTS = "cma_reports"
    # Capacity: a ceiling on how many the user may keep at once (the caller counts them).
    SAVED_SEARCHES = "saved_searches"
    # Switches.
    SMS_ALERTS = "sms_alerts"
    API_ACCESS = "api_access"
    ADVANCED_FILTERS = "advanced_filters"
    PORTFOLIO = "portfolio"
    WHITE_LABEL_SITE = "white_label_site"
    # The directory's Provider plan: listed first, and more requests routed each month (the
    # providers app counts them; PROVIDERS_FREE_MONTHLY_REQUESTS without the plan).
    FEATURED_PLACEMENT = "featured_placement"
    PROVIDER_REQUESTS = "provider_requests"
    # Investor tools (issue 16): deal analysis and market-trend detail from Investor 1.
    DEAL_ANALYSIS = "deal_analysis"
    MARKET_TRENDS = "market_trends"
    # Two to four listings side by side (Investor 2 and up).
    COMPARISON = "comparison"
    # Investor 3: calls of the Investor API (analysis, rent estimate, trends) a month, and the
    # investor's own logo on the CMA, analysis and comparison PDFs.
    API_CALLS = "api_calls"
    WHITE_LABEL_REPORTS = "white_label_reports"


METERED_FEATURES = frozenset({Feature.CHAT_MESSAGES, Feature.CMA_REPORTS, Feature.API_CALLS})
CAPACITY_FEATURES = frozenset({Feature.SAVED_SEARCHES, Feature.PROVIDER_REQUESTS})
SWITCH_FEATURES = frozenset(set(Feature) - METERED_FEATURES - CAPACITY_FEATURES)
# Features of the network plans (agents' sites, the directory's providers): never a consumer's.
NETWORK_FEATURES = frozenset({Feature.WHITE_LABEL_SITE, Feature.FEATURED_PLACEMENT, Feature.PROVIDER_REQUESTS})

# ``None`` as a limit means unlimited; 0 means not included.
UNLIMITED = None

# The product feature (config/settings/features.py) a plan feature needs before any plan may
# sell it: until its issue lands, no plan line, tagline or meter mentions it.
NEEDS: Mapping[Feature, str] = MappingProxyType(
    {
        Feature.CHAT_MESSAGES: "chat",
        Feature.CMA_REPORTS: "cma",
        Feature.ADVANCED_FILTERS: "advanced_filters",
        Feature.PORTFOLIO: "portfolio",
        Feature.DEAL_ANALYSIS: "deal_analysis",
        Feature.MARKET_TRENDS: "market_trends",
        Feature.COMPARISON: "comparison",
        Feature.API_CALLS: "investor_api",
        Feature.WHITE_LABEL_REPORTS: "white_label_reports",
    }
)
_COUNTED = {
    Feature.CHAT_MESSAGES: "chat messages a month",
    Feature.CMA_REPORTS: "CMA reports a month",
    Feature.SAVED_SEARCHES: "saved searches",
    Feature.PROVIDER_REQUESTS: "client requests a month",
    Feature.API_CALLS: "Investor API calls a month (analysis, rent estimates, trends)",
}
_SWITCHED = {
    Feature.SMS_ALERTS: "SMS alerts",
    Feature.API_ACCESS: "API access",
    Feature.ADVANCED_FILTERS: "Advanced filters",
    Feature.PORTFOLIO: "Portfolio tracking",
    Feature.COMPARISON: "Side-by-side comparison of 2 to 4 homes",
    Feature.FEATURED_PLACEMENT: "Featured placement at the top of the directory",
    Feature.DEAL_ANALYSIS: "Deal analysis: cash flow, cap rate, IRR, rent estimates",
    Feature.MARKET_TRENDS: "Market trend detail, charts and CSV",
    Feature.WHITE_LABEL_REPORTS: "Your own logo on CMA, analysis and comparison PDFs",
}


def feature_sold(feature: Feature) -> bool:
    """Whether plans may sell ``feature`` now (its product feature is built)."""
    need = NEEDS.get(feature)
    return need is None or feature_on(need)


def _pitch(*alternatives: tuple[set[str], str]) -> tuple[tuple[frozenset[str], str], ...]:
    return tuple((frozenset(needs), text) for needs, text in alternatives)


@dataclass(frozen=True, slots=True)
class Plan:
    key: str
    name: str
    audience: Audience
    price_cents: int
    # Taglines, best first, each with the product features it mentions: the first whose
    # features are all built is shown (the last should need none).
    taglines: tuple[tuple[frozenset[str], str], ...]
    limits: Mapping[Feature, int | None] = field(default_factory=dict)
    switches: frozenset[Feature] = frozenset()
    # Product features without which the plan is not sold at all (what it adds over the plan
    # below it is not built yet). Existing subscribers keep it.
    requires: frozenset[str] = frozenset()
    interval: str = "month"
    currency: str = "usd"
    # Network sites the plan pays for (agent plans): each launch needs a free one.
    sites: int = 0

    @property
    def on_sale(self) -> bool:
        return all(feature_on(name) for name in self.requires)

    @property
    def tagline(self) -> str:
        fits = [text for needs, text in self.taglines if all(feature_on(n) for n in needs)]
        return fits[0] if fits else self.taglines[-1][1]  # a plan not on sale has one tagline

    @property
    def selling_points(self) -> list[str]:
        """The plan's lines on the pricing page: only features that are built."""
        if self.audience == Audience.AGENT:
            return [f"A white-label site with your branding, listings{' and assistant' if feature_on('chat') else ''}"]
        lines = []
        for feature, limit in self.limits.items():
            if feature_sold(feature):
                amount = "Unlimited" if limit is None else "No" if limit == 0 else f"{limit:,}"
                lines.append(f"{amount} {_COUNTED[feature]}")
        lines += [_SWITCHED[f] for f in _SWITCHED if f in self.switches and feature_sold(f)]
        return lines

    @property
    def lookup_key(self) -> str:
        # Stable across environments and price changes: a new price for the same plan is
        # created with ``transfer_lookup_key`` rather than a new key.
        return f"chatrealty_{self.key}_{self.interval}ly"

    @property
    def product_id(self) -> str:
        # Stripe lets us choose product ids, which makes product creation idempotent for free.
        return f"chatrealty_{self.key}"

    @property
    def is_free(self) -> bool:
        return self.price_cents == 0

    @property
    def price_display(self) -> str:
        return f"${self.price_cents // 100}"

    def limit(self, feature: Feature) -> int | None:
        """The numeric limit for a metered or capacity feature (``None`` = unlimited)."""
        if feature in SWITCH_FEATURES:
            return UNLIMITED if feature in self.switches else 0
        return self.limits.get(feature, 0)

    def allows(self, feature: Feature) -> bool:
        limit = self.limit(feature)
        return limit is None or limit > 0


# Investor API calls a month on Investor 3: ~300 a day, far above one investor's use, low enough
# that a leaked key cannot run the engines flat out all month (the per-key rate limit is per minute).
INVESTOR_API_CALLS = 10_000
_CONSUMER_BASE_SWITCHES = frozenset({Feature.ADVANCED_FILTERS, Feature.SMS_ALERTS})
_INVESTOR_SWITCHES = _CONSUMER_BASE_SWITCHES | {Feature.DEAL_ANALYSIS, Feature.MARKET_TRENDS}

_PLAN_LIST: tuple[Plan, ...] = (
    Plan(
        key="free",
        name="Free",
        audience=Audience.CONSUMER,
        price_cents=0,
        taglines=_pitch(
            ({"chat"}, "Search, save a few searches and ask the assistant."),
            (set(), "Search homes and save a few searches."),
        ),
        limits={Feature.CHAT_MESSAGES: 10, Feature.CMA_REPORTS: 0, Feature.SAVED_SEARCHES: 3},
    ),
    Plan(
        key="pro",
        name="Pro",
        audience=Audience.CONSUMER,
        price_cents=10_00,
        taglines=_pitch(
            ({"chat", "advanced_filters"}, "More conversations, more saved searches, advanced filters."),
            ({"chat"}, "More conversations and more saved searches."),
            (set(), "More saved searches, with email alerts for each."),
        ),
        limits={Feature.CHAT_MESSAGES: 100, Feature.CMA_REPORTS: 0, Feature.SAVED_SEARCHES: 10},
        switches=frozenset({Feature.ADVANCED_FILTERS}),
    ),
    Plan(
        key="ultimate",
        name="Ultimate",
        audience=Audience.CONSUMER,
        price_cents=20_00,
        taglines=_pitch(
            ({"chat"}, "Unlimited chat and instant SMS alerts."), (set(), "Instant SMS alerts and 25 saved searches.")
        ),
        limits={
            Feature.CHAT_MESSAGES: UNLIMITED,
            Feature.CMA_REPORTS: 0,
            Feature.SAVED_SEARCHES: 25,
        },
        switches=_CONSUMER_BASE_SWITCHES,
    ),
    Plan(
        key="investor_1",
        name="Investor 1",
        audience=Audience.CONSUMER,
        price_cents=99_00,
        taglines=_pitch(
            ({"cma", "deal_analysis"}, "Everything in Ultimate plus deal analysis and 10 CMA reports a month."),
            ({"cma"}, "Everything in Ultimate plus 10 CMA reports a month."),
        ),
        limits={
            Feature.CHAT_MESSAGES: UNLIMITED,
            Feature.CMA_REPORTS: 10,
            Feature.SAVED_SEARCHES: 50,
        },
        switches=_INVESTOR_SWITCHES,
        requires=frozenset({"cma"}),
    ),
    Plan(
        key="investor_2",
        name="Investor 2",
        audience=Audience.CONSUMER,
        price_cents=299_00,
        taglines=_pitch(
            ({"cma", "portfolio"}, "50 CMA reports a month, portfolio and multi-property comparison."),
            ({"cma", "comparison"}, "50 CMA reports a month and side-by-side comparison of up to 4 homes."),
            ({"cma"}, "50 CMA reports a month and 100 saved searches."),
        ),
        limits={
            Feature.CHAT_MESSAGES: UNLIMITED,
            Feature.CMA_REPORTS: 50,
            Feature.SAVED_SEARCHES: 100,
        },
        switches=_INVESTOR_SWITCHES | {Feature.PORTFOLIO, Feature.COMPARISON},
        requires=frozenset({"cma"}),
    ),
    Plan(
        key="investor_3",
        name="Investor 3",
        audience=Audience.CONSUMER,
        price_cents=799_00,
        taglines=_pitch(
            ({"cma"}, "Unlimited CMA reports and API access."),
            (set(), "API access to the search API, unlimited saved searches and SMS alerts."),
        ),
        limits={
            Feature.CHAT_MESSAGES: UNLIMITED,
            Feature.CMA_REPORTS: UNLIMITED,
            Feature.SAVED_SEARCHES: UNLIMITED,
            Feature.API_CALLS: INVESTOR_API_CALLS,
        },
        switches=_INVESTOR_SWITCHES
        | {Feature.PORTFOLIO, Feature.COMPARISON, Feature.API_ACCESS, Feature.WHITE_LABEL_REPORTS},
    ),
    Plan(
        key="provider",
        name="Provider",
        audience=Audience.PROVIDER,
        price_cents=49_00,
        taglines=_pitch((set(), "Featured in the directory, and more client requests each month.")),
        limits={Feature.PROVIDER_REQUESTS: 100},
        switches=frozenset({Feature.FEATURED_PLACEMENT}),
    ),
    Plan(
        key="agent",
        name="Agent",
        audience=Audience.AGENT,
        price_cents=99_00,
        taglines=_pitch((set(), "Your own white-label ChatRealty site on the network.")),
        # Agents run CMAs for their clients without a count (issue 13); the CMA app grants
        # this plan to the agents of a site (cma/limits.py).
        limits={Feature.CMA_REPORTS: UNLIMITED},
        switches=frozenset({Feature.WHITE_LABEL_SITE}),
        sites=1,
    ),
)

PLANS: Mapping[str, Plan] = MappingProxyType({plan.key: plan for plan in _PLAN_LIST})
FREE = PLANS["free"]
AGENT = PLANS["agent"]
PROVIDER = PLANS["provider"]
# Plans a site's users don't buy for themselves: their subscriptions are never someone's
# consumer plan.
NON_CONSUMER_KEYS: tuple[str, ...] = tuple(p.key for p in _PLAN_LIST if p.audience != Audience.CONSUMER)
# What a visitor who has not signed up gets (counted by their anonymous id). Not sold, not in
# PLANS: signing up (Free) is the "upgrade".
VISITOR = Plan(
    key="visitor",
    name="Visitor",
    audience=Audience.CONSUMER,
    price_cents=0,
    taglines=_pitch(({"chat"}, "Try the assistant before signing up."), (set(), "Browse before signing up.")),
    limits={Feature.CHAT_MESSAGES: 3, Feature.CMA_REPORTS: 0, Feature.SAVED_SEARCHES: 0},
)


class UnknownPlan(KeyError):
    pass


def plan_get(*, key: str) -> Plan:
    try:
        return PLANS[key]
    except KeyError:
        raise UnknownPlan(key) from None


def plan_for_lookup_key(*, lookup_key: str) -> Plan | None:
    return next((p for p in _PLAN_LIST if p.lookup_key == lookup_key), None)


def plan_list(*, audience: Audience | None = None, paid_only: bool = False) -> list[Plan]:
    return [p for p in _PLAN_LIST if (audience is None or p.audience == audience) and not (paid_only and p.is_free)]


def plans_on_sale(*, audience: Audience | None = None, paid_only: bool = False) -> list[Plan]:
    """The plans offered now: the pricing page, checkout and the billing portal's plan switcher
    (``plan_list`` also has the ones hidden until their features are built)."""
    return [p for p in plan_list(audience=audience, paid_only=paid_only) if p.on_sale]


@dataclass(frozen=True, slots=True)
class Cell:
    text: str  # what the cell says ("10", "Unlimited", "Included", "Not included")
    included: bool


def plan_comparison(plans: list[Plan]) -> list[tuple[str, list[Cell]]]:
    """The pricing page's feature-by-feature table, read from the plans themselves: one row per
    feature some consumer plan sells (built features only), one cell per plan."""
    rows: list[tuple[str, list[Cell]]] = []
    for feature, label in _COUNTED.items():
        if not feature_sold(feature) or not any(p.limit(feature) != 0 for p in plans):
            continue
        cells = []
        for p in plans:
            limit = p.limit(feature)
            cells.append(
                Cell("Unlimited" if limit is None else "Not included" if limit == 0 else f"{limit:,}", limit != 0)
            )
        rows.append((label[0].upper() + label[1:], cells))
    for feature, label in _SWITCHED.items():
        if not feature_sold(feature) or not any(feature in p.switches for p in plans):
            continue
        rows.append(
            (
                label,
                [Cell("Included" if feature in p.switches else "Not included", feature in p.switches) for p in plans],
            )
        )
    return rows
