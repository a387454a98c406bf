"""Reads: who is on which plan, and may they do X now.

``entitlement_check`` sits on every chat message and CMA request, so it costs at most two
indexed queries (the live subscription, then the usage counter) and no Stripe call.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import F, QuerySet
from django.utils import timezone

from billing import periods
from billing.models import Invoice, Subscription, UsageCounter
from billing.plans import (
    AGENT,
    CAPACITY_FEATURES,
    FREE,
    METERED_FEATURES,
    NON_CONSUMER_KEYS,
    PROVIDER,
    VISITOR,
    Audience,
    Feature,
    Plan,
    feature_sold,
    plan_get,
    plan_list,
)

# What a network account without a subscription of that audience is shown (status "none").
_NO_PLAN = {Audience.AGENT: AGENT, Audience.PROVIDER: PROVIDER}


def grace_period() -> dt.timedelta:
    return dt.timedelta(days=int(getattr(settings, "BILLING_GRACE_PERIOD_DAYS", 7)))


@dataclass(frozen=True, slots=True)
class BillingContext:
    """The plan a user is on *now*, and the period their usage is counted in."""

    plan: Plan
    period_start: dt.datetime
    period_end: dt.datetime
    subscription_id: int | None = None
    status: str | None = None
    cancel_at_period_end: bool = False
    grace_ends: dt.datetime | None = None

    @property
    def past_due(self) -> bool:
        return self.status == Subscription.Status.PAST_DUE


@dataclass(frozen=True, slots=True)
class Entitlement:
    feature: str
    allowed: bool
    limit: int | None  # None: unlimited
    used: int
    remaining: int | None  # None: unlimited
    plan: str
    upgrade: bool  # a paid plan would allow (more of) this
    period_end: dt.datetime | None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["period_end"] = self.period_end.isoformat() if self.period_end else None
        return data


def subject_key(*, user: Any, visitor_id: str | None = None) -> str | None:
    if user is not None and getattr(user, "is_authenticated", False):
        return f"u:{user.pk}"
    return f"a:{visitor_id}" if visitor_id else None


# Visitors without an account are metered by their client address too: a client that drops its
# cookie gets a fresh anonymous id on every request, never a fresh allowance. Everyone behind
# one address (a household, an office's NAT) shares this many visitors' allowances.
VISITORS_PER_ADDRESS = 5


def address_key(*, user: Any, client_address: str | None) -> str | None:
    """The counter of a visitor's client address (``security.client_ip``); None when signed in
    (accounts are metered by account) or when no address is known."""
    if not client_address or (user is not None and getattr(user, "is_authenticated", False)):
        return None
    return f"ip:{client_address}"[:64]


def address_limit(limit: int) -> int:
    return limit * VISITORS_PER_ADDRESS


def address_bounded(ent: Entitlement, *, address_used: int) -> Entitlement:
    """The visitor's entitlement, no more generous than what their address has left."""
    if ent.limit is None or ent.remaining is None:
        return ent
    left = max(address_limit(ent.limit) - address_used, 0)
    if left >= ent.remaining:
        return ent
    return Entitlement(
        feature=ent.feature,
        allowed=ent.allowed and left > 0,
        limit=ent.limit,
        used=ent.limit - left,
        remaining=left,
        plan=ent.plan,
        upgrade=ent.upgrade or left == 0,
        period_end=ent.period_end,
    )


def _live_plan_of(sub: Subscription | dict[str, Any], now: dt.datetime) -> tuple[Plan, dt.datetime | None]:
    """Plan a live subscription grants now: past_due keeps it only during the grace period."""
    get = sub.get if isinstance(sub, dict) else lambda k: getattr(sub, k)
    plan = plan_get(key=str(get("plan_key")))
    if get("status") == Subscription.Status.PAST_DUE:
        grace_ends = (get("past_due_since") or now) + grace_period()
        return (plan if now < grace_ends else FREE), grace_ends
    return plan, None


# One round trip for the hot path: the user's live consumer subscription and the latest
# usage counter for the asked metric (the caller picks it only if it is this period's).
_HOT_SQL = """
SELECT s.id, s.plan_key, s.status, s.past_due_since, s.current_period_start,
       s.current_period_end, s.cancel_at_period_end, c.used, c.period_start
  FROM (SELECT 1) AS one
  LEFT JOIN LATERAL (
        SELECT id, plan_key, status, past_due_since, current_period_start,
               current_period_end, cancel_at_period_end
          FROM {subs}
         WHERE user_id = %(user_id)s AND status = ANY(%(live)s) AND plan_key <> ALL(%(not_consumer)s)
         ORDER BY current_period_start DESC NULLS LAST
         LIMIT 1) AS s ON TRUE
  LEFT JOIN LATERAL (
        SELECT used, period_start
          FROM {counters}
         WHERE subject = %(subject)s AND metric = %(metric)s AND period_start <= %(now)s
         ORDER BY period_start DESC
         LIMIT 1) AS c ON TRUE
"""
_NEWEST_PERIOD = F("current_period_start").desc(nulls_last=True)
_SUB_FIELDS = (
    "id",
    "plan_key",
    "status",
    "past_due_since",
    "current_period_start",
    "current_period_end",
    "cancel_at_period_end",
)


def _context_from(
    row: dict[str, Any] | None, *, audience: Audience, now: dt.datetime, visitor: bool = False
) -> BillingContext:
    start, end = periods.calendar_month(now)
    if row is None or row.get("id") is None:
        return BillingContext(
            plan=(VISITOR if visitor else FREE) if audience == Audience.CONSUMER else _NO_PLAN[audience],
            period_start=start,
            period_end=end,
            status=None if audience == Audience.CONSUMER else "none",
        )
    plan, grace_ends = _live_plan_of(row, now)
    if not plan.is_free and row["current_period_start"] and row["current_period_end"]:
        start, end = periods.roll_forward(row["current_period_start"], row["current_period_end"], now)
    return BillingContext(
        plan=plan,
        period_start=start,
        period_end=end,
        subscription_id=row["id"],
        status=row["status"],
        cancel_at_period_end=row["cancel_at_period_end"],
        grace_ends=grace_ends,
    )


def billing_context_get(
    *, user: Any, audience: Audience = Audience.CONSUMER, now: dt.datetime | None = None
) -> BillingContext:
    now = now or timezone.now()
    if user is None or not getattr(user, "is_authenticated", False):
        return _context_from(None, audience=Audience.CONSUMER, now=now, visitor=True)
    live = _of_audience(Subscription.objects.filter(user_id=user.pk, status__in=Subscription.LIVE_STATUSES), audience)
    row = live.order_by(_NEWEST_PERIOD).values(*_SUB_FIELDS).first()
    return _context_from(row, audience=audience, now=now)


def _hot_lookup(*, user: Any, subject: str | None, metric: str, now: dt.datetime) -> tuple[BillingContext, int]:
    """``billing_context_get`` and this period's usage in a single query."""
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    if not authenticated and subject is None:
        return _context_from(None, audience=Audience.CONSUMER, now=now, visitor=True), 0
    sql = _HOT_SQL.format(subs=Subscription._meta.db_table, counters=UsageCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "user_id": user.pk if authenticated else None,
                "live": list(Subscription.LIVE_STATUSES),
                "not_consumer": list(NON_CONSUMER_KEYS),
                "subject": subject or "",
                "metric": metric,
                "now": now,
            },
        )
        values = cursor.fetchone()
    row = dict(zip((*_SUB_FIELDS, "used", "counter_start"), values, strict=True))
    ctx = _context_from(row, audience=Audience.CONSUMER, now=now, visitor=not authenticated)
    used = row["used"] if row["counter_start"] == ctx.period_start else 0
    return ctx, used or 0


def _upgrade_helps(plan: Plan, feature: Feature) -> bool:
    current = plan.limit(feature)
    if current is None:
        return False
    return any(
        p.price_cents > plan.price_cents and (p.limit(feature) is None or p.limit(feature) > current)  # type: ignore[operator]
        for p in plan_list(audience=Audience.CONSUMER)
    )


def entitlement_from(*, ctx: BillingContext, feature: Feature, used: int) -> Entitlement:
    limit = ctx.plan.limit(feature)
    if feature in METERED_FEATURES or feature in CAPACITY_FEATURES:
        allowed = limit is None or used < limit
        remaining = None if limit is None else max(limit - used, 0)
    else:
        allowed, used, remaining = limit is None, 0, None if limit is None else 0
    return Entitlement(
        feature=feature.value,
        allowed=allowed,
        limit=limit,
        used=used,
        remaining=remaining,
        plan=ctx.plan.key,
        upgrade=not allowed and _upgrade_helps(ctx.plan, feature),
        period_end=ctx.period_end if feature in METERED_FEATURES else None,
    )


# A site's agents and admins run CMAs for their clients under the Agent plan, which has them
# unlimited (issue 13); their uses are still counted, per calendar month.
AGENT_PLAN_FEATURES = frozenset({Feature.CMA_REPORTS})
AGENT_ROLES = ("agent", "admin", "superadmin")


def agent_context(*, user: Any, feature: Feature, now: dt.datetime | None = None) -> BillingContext | None:
    """The Agent plan's context when ``user`` is a site's agent asking for a feature that plan
    grants; None otherwise (the user's own consumer plan applies)."""
    if feature not in AGENT_PLAN_FEATURES or user is None or not getattr(user, "is_authenticated", False):
        return None
    if not user.has_role(*AGENT_ROLES):
        return None
    start, end = periods.calendar_month(now or timezone.now())
    return BillingContext(plan=AGENT, period_start=start, period_end=end, status="agent")


def entitlement_check(
    *,
    user: Any,
    feature: Feature | str,
    in_use: int | None = None,
    visitor_id: str | None = None,
    client_address: str | None = None,
    now: dt.datetime | None = None,
) -> Entitlement:
    """May this visitor use ``feature`` now, and how much is left?

    Metered features (chat messages, CMA reports) read this period's counter; capacity
    features (saved searches) compare ``in_use`` — counted by the app that owns them — with
    the plan's ceiling; switches (SMS alerts, API access, ...) are on or off. This only
    *reads*: to spend one unit use ``billing.services.usage_consume``, which re-checks
    atomically. A visitor without an account also sees what their ``client_address`` has
    left (``VISITORS_PER_ADDRESS``)."""
    feature = Feature(feature)
    now = now or timezone.now()
    staff = agent_context(user=user, feature=feature, now=now)
    if staff is not None:
        used = (
            UsageCounter.objects.filter(
                subject=subject_key(user=user), metric=feature.value, period_start=staff.period_start
            )
            .values_list("used", flat=True)
            .first()
        )
        return entitlement_from(ctx=staff, feature=feature, used=used or 0)
    metered = feature in METERED_FEATURES
    subject = subject_key(user=user, visitor_id=visitor_id) if metered else None
    ctx, used = _hot_lookup(user=user, subject=subject, metric=feature.value, now=now)
    if feature in CAPACITY_FEATURES:
        used = in_use or 0
    ent = entitlement_from(ctx=ctx, feature=feature, used=used)
    address = address_key(user=user, client_address=client_address) if metered else None
    if address is None:
        return ent
    address_used = (
        UsageCounter.objects.filter(subject=address, metric=feature.value, period_start=ctx.period_start)
        .values_list("used", flat=True)
        .first()
    )
    return address_bounded(ent, address_used=address_used or 0)


# Capacity features are counted by the app that owns them (saved searches: listings), which
# registers its counter here in ``AppConfig.ready`` so that billing's meters read the very
# number the feature enforces, without billing importing that app.
_CAPACITY_COUNTERS: dict[Feature, Any] = {}


def capacity_counter_register(*, feature: Feature, counter: Any) -> None:
    """``counter(user) -> int``: how many of ``feature`` the user holds now."""
    _CAPACITY_COUNTERS[Feature(feature)] = counter


def capacity_in_use(*, user: Any, feature: Feature) -> int:
    counter = _CAPACITY_COUNTERS.get(Feature(feature))
    if counter is None or user is None or not getattr(user, "is_authenticated", False):
        return 0
    return int(counter(user))


def usage_meters(*, user: Any, in_use: dict[str, int] | None = None) -> list[Entitlement]:
    """Chat, CMA and saved-search meters for the billing page; capacity meters count through
    the owning app's registered counter unless ``in_use`` gives the number."""
    in_use = dict(in_use or {})
    for f in CAPACITY_FEATURES:
        in_use.setdefault(f.value, capacity_in_use(user=user, feature=f))
    return [
        entitlement_check(user=user, feature=f, in_use=in_use.get(f.value))
        for f in (Feature.CHAT_MESSAGES, Feature.CMA_REPORTS, Feature.SAVED_SEARCHES)
        if feature_sold(f)
    ]


def subscription_current(*, user: Any, audience: Audience = Audience.CONSUMER) -> Subscription | None:
    qs = _of_audience(Subscription.objects.filter(user_id=user.pk, status__in=Subscription.LIVE_STATUSES), audience)
    return qs.order_by(_NEWEST_PERIOD).first()


def _of_audience(qs: QuerySet[Subscription], audience: Audience) -> QuerySet[Subscription]:
    if audience == Audience.CONSUMER:
        return qs.exclude(plan_key__in=NON_CONSUMER_KEYS)
    return qs.filter(plan_key__in=[p.key for p in plan_list(audience=audience)])


def invoice_list(*, user: Any, limit: int = 12) -> QuerySet[Invoice]:
    customer_ids = Subscription.objects.filter(user_id=user.pk).values("stripe_customer_id")
    return Invoice.objects.filter(stripe_customer_id__in=customer_ids)[:limit]


def agent_site_state(*, user: Any, now: dt.datetime | None = None) -> tuple[bool, str]:
    """(is_active, plan_status) an agent's sites should have, from their Agent plan."""
    now = now or timezone.now()
    sub = Subscription.objects.filter(user_id=user.pk, plan_key=AGENT.key).order_by("-state_as_of").first()
    if sub is None:
        return False, "canceled"
    if sub.status in (Subscription.Status.ACTIVE, Subscription.Status.TRIALING):
        return True, "active" if sub.status == Subscription.Status.ACTIVE else "trial"
    if sub.status == Subscription.Status.PAST_DUE:
        in_grace = now < (sub.past_due_since or now) + grace_period()
        return (True, "past_due") if in_grace else (False, "suspended")
    if sub.status == Subscription.Status.UNPAID:
        return False, "suspended"
    return False, "canceled"
