"""The CRM pages on the agent's site (/crm/), behind sign-in, in the site's branding. Thin:
reads through selectors, writes through services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from leads import selectors, services
from leads.models import Lead
from leads.routing import lead_assign
from leads.team import site_agents


def crm_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not selectors.crm_user(request.user):
            message = "Leads are for this site's agents."
            return render(request, "errors/403.html", {"message": message}, status=403)
        return view(request, *args, **kwargs)

    return wrapped


def _lead_or_404(request: HttpRequest, lead_id: int) -> Lead:
    lead = selectors.visible_leads(user=request.user).filter(pk=lead_id).first()
    if lead is None:
        raise Http404("No such lead")
    return lead


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    filters = selectors.lead_filters_from(request.GET)
    return {
        "filters": filters,
        "stages": Lead.Status.choices,
        "sources": Lead.Source.choices,
        "agents": site_agents() if selectors.sees_all(request.user) else [],
        "sees_all": selectors.sees_all(request.user),
        "query": request.GET.urlencode(),
        **extra,
    }


@crm_required
def board(request: HttpRequest) -> HttpResponse:
    filters = selectors.lead_filters_from(request.GET)
    columns = selectors.lead_board(user=request.user, filters=filters)
    return render(request, "leads/board.html", _context(request, columns=columns))


@crm_required
def lead_list(request: HttpRequest) -> HttpResponse:
    filters = selectors.lead_filters_from(request.GET)
    leads = selectors.lead_list(user=request.user, filters=filters)[:500]
    return render(request, "leads/list.html", _context(request, leads=leads))


@crm_required
def lead_detail(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = _lead_or_404(request, lead_id)
    timeline = selectors.contact_timeline(contact=lead.contact) if lead.contact else []
    return render(
        request,
        "leads/detail.html",
        _context(request, lead=lead, timeline=timeline, tasks=lead.tasks.all(), now=timezone.now()),
    )


@require_POST
@crm_required
def lead_update(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = _lead_or_404(request, lead_id)
    action = request.POST.get("action", "")
    try:
        if action == "stage":
            services.lead_stage_set(lead=lead, stage=request.POST.get("stage", ""), actor=request.user)
        elif action == "note":
            services.lead_note_add(lead=lead, text=request.POST.get("text", ""), actor=request.user)
        elif action == "task":
            due = _parse_due(request.POST.get("due", ""))
            services.task_create(lead=lead, title=request.POST.get("title", ""), due_at=due, actor=request.user)
        elif action == "done":
            task = lead.tasks.filter(pk=request.POST.get("task", "0") or 0).first()
            if task is None:
                raise ValueError("No such task.")
            services.task_complete(task=task)
        elif action == "assign" and selectors.sees_all(request.user):
            agent = site_agents().filter(pk=request.POST.get("agent", "0") or 0).first()
            if agent is None:
                raise ValueError("Choose one of the site's agents.")
            lead_assign(lead=lead, agent=agent, actor=request.user, reason="by hand")
        else:
            raise ValueError("Unknown action.")
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Saved.")
    return redirect("leads:detail", lead_id=lead.pk)


def _parse_due(raw: str) -> datetime:
    try:
        due = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise ValueError("Give the task a due date and time.") from None
    return timezone.make_aware(due) if timezone.is_naive(due) else due


@crm_required
def client(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = selectors.contact_visible(user=request.user, contact_id=contact_id)
    if contact is None:
        raise Http404("No such client")
    leads = selectors.visible_leads(user=request.user).filter(contact=contact)
    return render(
        request,
        "leads/client.html",
        _context(
            request,
            contact=contact,
            leads=leads,
            timeline=selectors.contact_timeline(contact=contact),
            activity=selectors.client_activity(contact=contact),
        ),
    )


@require_POST
@crm_required
def client_send(request: HttpRequest, contact_id: int) -> HttpResponse:
    from leads.outreach import client_send as send

    contact = selectors.contact_visible(user=request.user, contact_id=contact_id)
    if contact is None:
        raise Http404("No such client")
    search = request.POST.get("saved_search", "")
    try:
        what = send(
            contact=contact,
            actor=request.user,
            listing=request.POST.get("listing", "")[:300],
            saved_search_id=int(search) if search.isdigit() else None,
            note=request.POST.get("note", ""),
        )
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Sent {what} to {contact.email}.")
    return redirect("leads:client", contact_id=contact.pk)
