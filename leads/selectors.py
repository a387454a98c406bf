"""Reads for the CRM. Every read goes through ``visible_leads``: the site's owner sees all its
leads, a team member only those assigned to them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from accounts.models import Role
from leads.models import Activity, Contact, Lead


def crm_user(user: Any) -> bool:
    """May use this site's CRM: its owner and its agents (accounts are per site)."""
    return bool(user.is_authenticated and user.is_active and user.role in (Role.AGENT, Role.ADMIN, Role.SUPERADMIN))


def sees_all(user: Any) -> bool:
    return bool(user.is_superuser or user.role in (Role.ADMIN, Role.SUPERADMIN))


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
