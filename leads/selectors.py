"""Reads for the CRM. Every read goes through ``visible_leads``: the site's owner sees all its
leads, a team member only those assigned to them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from leads.models import Activity, Contact, Deal, DealSplit, Lead

# Who may (leads/team.py), read through here by the views.
from leads.team import crm_user as crm_user
from leads.team import sees_all as sees_all


def visible_leads(*, user: Any) -> QuerySet[Lead]:
    if not crm_user(user):
        return Lead.objects.none()
    leads = Lead.objects.select_related("assigned_to", "contact")
    return leads if sees_all(user) else leads.filter(assigned_to=user)


@dataclass(frozen=True)
class LeadFilters:
    q: str = ""
    stage: str = ""
    source: str = ""
    agent: int | None = None


def lead_filters_from(params: Any) -> LeadFilters:
    agent = params.get("agent", "")
    return LeadFilters(
        q=(params.get("q") or "").strip()[:100],
        stage=params.get("stage", "") if params.get("stage", "") in Lead.Status.values else "",
        source=params.get("source", "") if params.get("source", "") in Lead.Source.values else "",
        agent=int(agent) if str(agent).isdigit() else None,
    )


def lead_list(*, user: Any, filters: LeadFilters | None = None) -> QuerySet[Lead]:
    leads = visible_leads(user=user)
    f = filters or LeadFilters()
    if f.stage:
        leads = leads.filter(status=f.stage)
    if f.source:
        leads = leads.filter(source=f.source)
    if f.agent is not None:
        leads = leads.filter(assigned_to_id=f.agent)
    if f.q:
        leads = leads.filter(
            Q(name__icontains=f.q) | Q(email__icontains=f.q) | Q(phone__icontains=f.q) | Q(message__icontains=f.q)
        )
    return leads


def lead_board(*, user: Any, filters: LeadFilters | None = None, per_column: int = 50) -> list[dict[str, Any]]:
    leads = lead_list(user=user, filters=filters)
    return [
        {
            "stage": value,
            "label": label,
            "leads": list(leads.filter(status=value)[:per_column]),
            "count": leads.filter(status=value).count(),
        }
        for value, label in Lead.Status.choices
    ]


def contact_visible(*, user: Any, contact_id: int) -> Contact | None:
    """A person is visible to whoever may see one of their leads."""
    if not visible_leads(user=user).filter(contact_id=contact_id).exists():
        return None
    return Contact.objects.filter(pk=contact_id).first()


def contact_timeline(*, contact: Contact) -> QuerySet[Activity]:
    return contact.activities.select_related("actor", "lead")


def client_activity(*, contact: Contact) -> dict[str, Any]:
    """What the person did on this site (this schema only): favourites, saved searches, swipes,
    chats and CMA reports of their account here. Models by name: listings, chat and cma create
    leads, so leads does not import them."""
    from django.apps import apps

    favorite, saved_search, swipe = (apps.get_model("listings", m) for m in ("Favorite", "SavedSearch", "Swipe"))
    conversation, cma_report = apps.get_model("chat", "Conversation"), apps.get_model("cma", "CmaReport")

    user_id = contact.user_id
    if user_id is None:
        return {"favorites": [], "saved_searches": [], "swipes": [], "chats": [], "cma_reports": []}
    return {
        "favorites": list(favorite.objects.filter(user_id=user_id).order_by("-pk")[:50]),
        "saved_searches": list(saved_search.objects.filter(user_id=user_id).order_by("-pk")[:50]),
        "swipes": list(swipe.objects.filter(user_id=user_id).order_by("-pk")[:50]),
        "chats": list(conversation.objects.filter(user_id=user_id).order_by("-pk")[:20]),
        "cma_reports": list(cma_report.objects.filter(user_id=user_id).order_by("-pk")[:20]),
    }


def visible_deals(*, user: Any) -> QuerySet[Deal]:
    """The owner sees every deal of the site; an agent the deals they have a share of."""
    if not crm_user(user):
        return Deal.objects.none()
    deals = Deal.objects.select_related("lead").prefetch_related("splits__agent")
    return deals if sees_all(user) else deals.filter(splits__agent=user).distinct()


@dataclass(frozen=True)
class EarningsPeriod:
    kind: str
    start: date
    end: date  # inclusive

    @property
    def label(self) -> str:
        return f"{self.start:%b} {self.start.day}, {self.start.year} – {self.end:%b} {self.end.day}, {self.end.year}"


PERIOD_KINDS = (("month", "Month"), ("quarter", "Quarter"), ("year", "Year"), ("custom", "Custom dates"))


def _date(raw: Any, fallback: date | None = None) -> date | None:
    try:
        return date.fromisoformat(str(raw or "").strip())
    except ValueError:
        return fallback


def earnings_period_from(params: Any, *, today: date) -> tuple[EarningsPeriod, str]:
    """The period asked for (the month, quarter or year holding ``on``, or ``start``–``end``)
    and an error message when the request could not be honoured (then this month)."""
    kind = params.get("period", "month")
    on = _date(params.get("on"), today) or today
    if kind == "custom":
        start, end = _date(params.get("start")), _date(params.get("end"))
        if start is None or end is None:
            error = "Give a start and an end date for custom dates."
        elif end < start:
            error = "The end date is before the start date."
        elif (end - start).days > 366 * 10:
            error = "Choose at most ten years."
        else:
            return EarningsPeriod("custom", start, end), ""
        kind, on = "month", today
        return EarningsPeriod(kind, on.replace(day=1), _month_end(on)), error
    if kind == "year":
        return EarningsPeriod(kind, date(on.year, 1, 1), date(on.year, 12, 31)), ""
    if kind == "quarter":
        first = 3 * ((on.month - 1) // 3) + 1
        return EarningsPeriod(kind, date(on.year, first, 1), _month_end(date(on.year, first + 2, 1))), ""
    return EarningsPeriod("month", on.replace(day=1), _month_end(on)), ""


def _month_end(day: date) -> date:
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - timedelta(days=1)


@dataclass(frozen=True)
class EarningLine:
    deal: Deal
    party: str  # the agent's name, or "Brokerage"
    agent_id: int | None
    basis: str
    amount_cents: int


@dataclass
class Earnings:
    lines: list[EarningLine]
    by_agent: list[tuple[str, int, int]]  # (name, deals, cents)
    brokerage_cents: int | None  # None: not shown (an agent sees only their own share)
    commission_cents: int | None
    total_cents: int


def earnings(*, user: Any, period: EarningsPeriod) -> Earnings:
    """Each agent's share of the deals closed in the period. The owner sees every agent and the
    brokerage, whose sum is the deals' commission to the cent; an agent sees only their own."""
    owner = sees_all(user)
    deals = visible_deals(user=user).filter(closed_on__gte=period.start, closed_on__lte=period.end)
    lines: list[EarningLine] = []
    totals: dict[int, tuple[str, int, int]] = {}
    commission = 0
    for deal in deals.order_by("closed_on", "pk"):
        commission += deal.commission_cents
        for split in deal.splits.all():
            if not owner and split.agent_id != user.pk:
                continue
            name = split.agent.get_full_name() or split.agent.email
            lines.append(EarningLine(deal, name, split.agent_id, _basis(split), split.amount_cents))
            _, n, cents = totals.get(split.agent_id, (name, 0, 0))
            totals[split.agent_id] = (name, n + 1, cents + split.amount_cents)
        if owner:
            lines.append(EarningLine(deal, "Brokerage", None, "the rest", deal.brokerage_cents))
    by_agent = sorted(totals.values(), key=lambda r: (-r[2], r[0]))
    brokerage = sum(line.amount_cents for line in lines if line.agent_id is None) if owner else None
    return Earnings(
        lines=lines,
        by_agent=by_agent,
        brokerage_cents=brokerage,
        commission_cents=commission if owner else None,
        total_cents=sum(line.amount_cents for line in lines),
    )


def _basis(split: DealSplit) -> str:
    basis = (
        f"{split.percent_bp / 100:g} %"
        if split.percent_bp is not None
        else f"${(split.fixed_cents or 0) / 100:,.2f} fixed"
    )
    return basis + (f", capped at ${split.cap_cents / 100:,.2f}" if split.cap_cents is not None else "")
