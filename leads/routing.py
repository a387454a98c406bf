"""Who gets a new lead: the site's rules in order (by source, city, price band, round robin,
default owner), and reassignment of leads nobody answered in the site's set time."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from leads.models import Activity, Lead, RoutingConfig, RoutingRule
from leads.team import on_flagship, site_agents


def routing_config() -> RoutingConfig:
    config, _ = RoutingConfig.objects.get_or_create(pk=1)
    return config


def _next_in_turn(pool: list[Any], *, exclude: Any = None) -> Any:
    """Round robin without stored state: the agent whose last assignment is oldest (or who has
    none) is next; ties go to the earlier account."""
    candidates = [a for a in pool if exclude is None or a.pk != exclude.pk]
    if not candidates:
        return None
    last = dict(
        Lead.objects.filter(assigned_to__in=candidates)
        .values("assigned_to")
        .annotate(last=Max("assigned_at"))
        .values_list("assigned_to", "last")
    )
    floor = datetime.min.replace(tzinfo=timezone.get_current_timezone())
    return min(candidates, key=lambda a: (last.get(a.pk) or floor, a.pk))


def _matches(rule: RoutingRule, lead: Lead) -> bool:
    if rule.kind == RoutingRule.Kind.SOURCE:
        return lead.source == rule.source
    if rule.kind == RoutingRule.Kind.CITY:
        return bool(rule.city) and str(lead.data.get("city") or "").casefold() == rule.city.casefold()
    if rule.kind == RoutingRule.Kind.PRICE_BAND:
        price = lead.data.get("price")
        if not isinstance(price, (int, float)):
            return False
        return (rule.min_price is None or price >= rule.min_price) and (
            rule.max_price is None or price < rule.max_price
        )
    return True  # round robin and default match every lead


def _pick(lead: Lead) -> Any:
    agents = {a.pk: a for a in site_agents()}
    for rule in RoutingRule.objects.prefetch_related("agents"):
        if not _matches(rule, lead):
            continue
        if rule.kind == RoutingRule.Kind.ROUND_ROBIN:
            pool = [a for a in rule.agents.all() if a.pk in agents] or list(agents.values())
            chosen = _next_in_turn(pool)
        else:
            chosen = agents.get(rule.agent_id) if rule.agent_id else None
        if chosen is not None:
            return chosen
    # No rule (or none matched): the site's owner, else its first agent. The flagship's owner is
    # the brokerage: its unmatched leads stay unassigned and go to the brokerage's inbox.
    owners = [a for a in agents.values() if a.is_superuser]
    if on_flagship():
        return owners[0] if owners else None
    return (owners or list(agents.values()) or [None])[0]


def lead_assign(*, lead: Lead, agent: Any, actor: Any = None, reason: str = "") -> Lead:
    lead.assigned_to = agent
    lead.assigned_at = timezone.now()
    lead.save(update_fields=["assigned_to", "assigned_at"])
    if lead.contact_id:
        text = f"Assigned to {agent.get_full_name() if agent else 'nobody'}" + (f" ({reason})" if reason else "")
        Activity.objects.create(
            contact_id=lead.contact_id, lead=lead, kind=Activity.Kind.ASSIGNED, text=text, actor=actor
        )
    return lead


def lead_route(*, lead: Lead) -> Lead:
    """Assign a new lead by the rules. Routing of concurrent leads is serialised on the site's
    routing row, so round robin hands out turns one at a time."""
    with transaction.atomic():
        routing_config()
        RoutingConfig.objects.select_for_update().filter(pk=1).first()
        return lead_assign(lead=lead, agent=_pick(lead))


def leads_reassign_unanswered(*, now: datetime | None = None) -> list[int]:
    """New leads nobody answered within the site's time go to the next agent in turn (and the
    agent is mailed). Returns the ids reassigned."""
    from leads.services import _queue_notice

    now = now or timezone.now()
    config = routing_config()
    cutoff = now - timedelta(minutes=config.reassign_after_minutes)
    moved = []
    pool = list(site_agents())
    for lead in Lead.objects.filter(
        status=Lead.Status.NEW, answered_at__isnull=True, assigned_at__lt=cutoff
    ).select_related("assigned_to"):
        with transaction.atomic():
            nxt = _next_in_turn(pool, exclude=lead.assigned_to)
            if nxt is None:
                continue
            lead_assign(lead=lead, agent=nxt, reason=f"unanswered after {config.reassign_after_minutes} min")
            _queue_notice(lead.pk)
            moved.append(lead.pk)
    return moved


def routing_rule_create(
    *,
    kind: str,
    position: int,
    source: str = "",
    city: str = "",
    min_price: int | None = None,
    max_price: int | None = None,
    agent: Any = None,
    agents: Any = (),
) -> RoutingRule:
    """A rule as the owner's form gives it; only the fields its kind uses are kept."""
    kinds = RoutingRule.Kind
    rule = RoutingRule.objects.create(
        kind=kind,
        position=position,
        source=source if kind == kinds.SOURCE else "",
        city=city.strip() if kind == kinds.CITY else "",
        min_price=min_price if kind == kinds.PRICE_BAND else None,
        max_price=max_price if kind == kinds.PRICE_BAND else None,
        agent=agent if kind != kinds.ROUND_ROBIN else None,
    )
    if kind == kinds.ROUND_ROBIN:
        rule.agents.set(list(agents))
    return rule


def routing_reassign_set(*, minutes: int) -> RoutingConfig:
    config = routing_config()
    config.reassign_after_minutes = minutes
    config.save(update_fields=["reassign_after_minutes"])
    return config


def routing_rule_delete(*, rule_id: int) -> bool:
    deleted, _ = RoutingRule.objects.filter(pk=rule_id).delete()
    return deleted > 0
