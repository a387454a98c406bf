"""Writes for leads: every way a visitor reaches out goes through ``lead_create``, which merges
the person with earlier contacts, routes the lead to an agent and queues the agent's notice
once the lead is committed. Pipeline moves, notes and tasks are written here too."""

from __future__ import annotations

import logging
import re
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from leads.commission import SplitTerm, commission_split
from leads.models import Activity, Contact, Deal, DealSplit, Lead, Task

log = logging.getLogger(__name__)

_NAME_KEYS = ("name", "full_name", "your_name")
_EMAIL_KEYS = ("email", "email_address", "your_email")
_PHONE_KEYS = ("phone", "phone_number", "telephone")
_MESSAGE_KEYS = ("message", "comments", "question")


def _first(data: dict[str, Any], keys: tuple[str, ...]) -> str:
    for key in keys:
        value = data.get(key)
        if value:
            return str(value)
    return ""


def phone_digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)[-15:]


def _queue_notice(lead_id: int) -> None:
    from core.tenancy import current_schema
    from leads.tasks import lead_notify

    schema = current_schema()

    def send() -> None:
        try:
            lead_notify.delay(schema_name=schema, lead_id=lead_id)
        except Exception:  # the broker being down must not turn a saved lead into an error page
            log.exception("lead notice for lead %s in %s not queued", lead_id, schema)

    transaction.on_commit(send)


def contact_merge(*, name: str, email: str, phone: str, user: Any = None) -> Contact:
    """The person with this email (or else this phone number), created if new; blanks filled
    from what they gave this time. Concurrent first contacts with one email make one person
    (the unique email constraint decides, the loser reads the winner's row)."""
    email = email.strip().lower()
    digits = phone_digits(phone)
    contact = Contact.objects.select_for_update().filter(email=email).first() if email else None
    if contact is None and digits:
        contact = Contact.objects.select_for_update().filter(phone_digits=digits).order_by("pk").first()
    if contact is None:
        try:
            with transaction.atomic():
                return Contact.objects.create(name=name, email=email, phone=phone, phone_digits=digits, user=user)
        except IntegrityError:
            contact = Contact.objects.select_for_update().get(email=email)
    changed = []
    for field, value in (("name", name), ("email", email), ("phone", phone), ("phone_digits", digits)):
        if value and not getattr(contact, field):
            setattr(contact, field, value)
            changed.append(field)
    if user is not None and contact.user_id is None:
        contact.user = user
        changed.append("user")
    if changed:
        contact.save(update_fields=changed)
    return contact


@transaction.atomic
def lead_create(
    *,
    source: str,
    name: str = "",
    email: str = "",
    phone: str = "",
    message: str = "",
    listing_key: str = "",
    user: Any = None,
    data: dict[str, Any] | None = None,
    notify: bool = True,
) -> Lead:
    from leads.routing import lead_route

    user = user if user is not None and user.is_authenticated else None
    name, email, phone = name.strip()[:150], email.strip()[:254], phone.strip()[:32]
    contact = contact_merge(name=name, email=email, phone=phone, user=user)
    lead = Lead.objects.create(
        source=source,
        name=name,
        email=email,
        phone=phone,
        message=message,
        listing_key=listing_key[:64],
        user=user,
        contact=contact,
        data=data or {},
    )
    Activity.objects.create(contact=contact, lead=lead, kind=Activity.Kind.LEAD, text=message[:500])
    lead_route(lead=lead)
    if notify:
        _queue_notice(lead.pk)
    return lead


def lead_create_from_form(*, page: Any, data: dict[str, Any], user: Any = None) -> Lead:
    clean = {key: str(value) for key, value in data.items()}
    return lead_create(
        source=Lead.Source.CONTACT_FORM,
        name=_first(clean, _NAME_KEYS),
        email=_first(clean, _EMAIL_KEYS),
        phone=_first(clean, _PHONE_KEYS),
        message=_first(clean, _MESSAGE_KEYS),
        user=user,
        data={"page_id": page.pk, "fields": clean},
    )


def _timeline(lead: Lead, kind: str, text: str, actor: Any) -> Activity | None:
    if lead.contact_id is None:
        return None
    return Activity.objects.create(contact_id=lead.contact_id, lead=lead, kind=kind, text=text, actor=actor)


def _answered(lead: Lead) -> None:
    if lead.answered_at is None:
        lead.answered_at = timezone.now()
        lead.save(update_fields=["answered_at"])


@transaction.atomic
def lead_stage_set(*, lead: Lead, stage: str, actor: Any) -> Lead:
    if stage not in Lead.Status.values:
        raise ValueError(f"Unknown stage {stage!r}")
    if stage != lead.status:
        before = lead.get_status_display()
        lead.status = stage
        lead.save(update_fields=["status"])
        text = f"{before} → {lead.get_status_display()}"
        _timeline(lead, Activity.Kind.STAGE, text, actor)
    _answered(lead)
    return lead


@transaction.atomic
def lead_note_add(*, lead: Lead, text: str, actor: Any) -> Activity | None:
    text = text.strip()
    if not text:
        raise ValueError("A note needs some text.")
    _answered(lead)
    return _timeline(lead, Activity.Kind.NOTE, text[:5000], actor)


@transaction.atomic
def task_create(*, lead: Lead, title: str, due_at: datetime, actor: Any) -> Task:
    title = title.strip()
    if not title:
        raise ValueError("A task needs a title.")
    task = Task.objects.create(lead=lead, title=title[:200], due_at=due_at, assigned_to=lead.assigned_to or actor)
    _timeline(lead, Activity.Kind.TASK, f"Task: {task.title}", actor)
    return task


def task_complete(*, task: Task) -> Task:
    task.done_at = timezone.now()
    task.save(update_fields=["done_at"])
    return task


def _deal_terms_checked(*, title: str, terms: list[SplitTerm]) -> tuple[str, dict[int, Any]]:
    """The title trimmed and the split's agents, or ValueError: a title, at least one agent,
    each once, all of them this site's."""
    from leads.team import site_agents

    title = title.strip()[:200]
    if not title:
        raise ValueError("Give the deal a title (the home's address, for example).")
    if not terms:
        raise ValueError("Add at least one agent to the split.")
    ids = [t.agent_id for t in terms]
    if len(set(ids)) != len(ids):
        raise ValueError("Each agent appears once in the split.")
    agents = {a.pk: a for a in site_agents().filter(pk__in=ids)}
    if len(agents) != len(ids):
        raise ValueError("Split the commission between this site's agents only.")
    return title, agents


def _deal_splits_write(*, deal: Deal, terms: list[SplitTerm], agents: dict[int, Any], amounts: dict[int, int]) -> None:
    DealSplit.objects.bulk_create(
        DealSplit(
            deal=deal,
            agent=agents[t.agent_id],
            percent_bp=t.percent_bp,
            fixed_cents=t.fixed_cents,
            cap_cents=t.cap_cents,
            amount_cents=amounts[t.agent_id],
        )
        for t in terms
    )


@transaction.atomic
def deal_record(
    *,
    title: str,
    sale_price_cents: int,
    rate_bp: int,
    closed_on: date,
    terms: list[SplitTerm],
    actor: Any,
    lead: Lead | None = None,
) -> Deal:
    """A closed deal and its split, all or nothing. The agents must be this site's; the amounts
    come from ``leads.commission`` (the brokerage gets the rest, so they add up exactly). A lead
    it comes from moves to closed."""
    title, agents = _deal_terms_checked(title=title, terms=terms)
    result = commission_split(sale_price_cents=sale_price_cents, rate_bp=rate_bp, terms=terms)
    deal = Deal.objects.create(
        lead=lead,
        title=title,
        sale_price_cents=sale_price_cents,
        commission_rate_bp=rate_bp,
        closed_on=closed_on,
        commission_cents=result.commission_cents,
        brokerage_cents=result.brokerage_cents,
        recorded_by=actor,
    )
    _deal_splits_write(deal=deal, terms=terms, agents=agents, amounts=result.agents)
    if lead is not None:
        lead_stage_set(lead=lead, stage=Lead.Status.CLOSED, actor=actor)
        _timeline(
            lead, Activity.Kind.NOTE, f"Deal recorded: {title}, commission ${result.commission_cents / 100:,.2f}", actor
        )
    return deal


@transaction.atomic
def deal_update(
    *,
    deal: Deal,
    title: str,
    sale_price_cents: int,
    rate_bp: int,
    closed_on: date,
    terms: list[SplitTerm],
    actor: Any,
) -> Deal:
    """A recorded deal corrected: its figures and its whole split replaced, recomputed the same
    way, all or nothing (the deal's row is locked, so two corrections at once take turns)."""
    title, agents = _deal_terms_checked(title=title, terms=terms)
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    result = commission_split(sale_price_cents=sale_price_cents, rate_bp=rate_bp, terms=terms)
    deal.title, deal.sale_price_cents, deal.commission_rate_bp, deal.closed_on = (
        title,
        sale_price_cents,
        rate_bp,
        closed_on,
    )
    deal.commission_cents, deal.brokerage_cents = result.commission_cents, result.brokerage_cents
    deal.save()
    deal.splits.all().delete()
    _deal_splits_write(deal=deal, terms=terms, agents=agents, amounts=result.agents)
    if deal.lead is not None:
        _timeline(
            deal.lead,
            Activity.Kind.NOTE,
            f"Deal corrected: {title}, commission ${result.commission_cents / 100:,.2f}",
            actor,
        )
    return deal
