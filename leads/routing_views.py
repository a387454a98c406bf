"""The owner's page for lead routing (/crm/routing/): the rules in order, adding and removing
one, and how long a new lead may go unanswered before it moves on. Thin: writes through
``leads.routing``."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from leads import routing, selectors
from leads.models import RoutingRule
from leads.routing_forms import ReassignForm, RoutingRuleForm
from leads.views import crm_required


@crm_required
def routing_page(request: HttpRequest) -> HttpResponse:
    if not selectors.sees_all(request.user):
        message = "The site's owner sets how leads are routed."
        return render(request, "errors/403.html", {"message": message}, status=403)
    rule_form = RoutingRuleForm(prefix="rule")
    reassign_form = ReassignForm(
        prefix="re", initial={"reassign_after_minutes": routing.routing_config().reassign_after_minutes}
    )
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "add":
            rule_form = RoutingRuleForm(request.POST, prefix="rule")
            if rule_form.is_valid():
                rule = routing.routing_rule_create(**rule_form.cleaned_data)
                messages.success(request, f"Added the rule “{rule.get_kind_display()}”.")
                return redirect("leads:routing")
        elif action == "delete":
            raw = request.POST.get("rule", "")
            if raw.isdigit() and routing.routing_rule_delete(rule_id=int(raw)):
                messages.success(request, "Removed the rule.")
            else:
                messages.error(request, "That rule is already gone.")
            return redirect("leads:routing")
        elif action == "reassign":
            reassign_form = ReassignForm(request.POST, prefix="re")
            if reassign_form.is_valid():
                routing.routing_reassign_set(minutes=reassign_form.cleaned_data["reassign_after_minutes"])
                messages.success(request, "Saved.")
                return redirect("leads:routing")
        else:
            messages.error(request, "Unknown action.")
    rules = RoutingRule.objects.select_related("agent").prefetch_related("agents")
    context = {"rules": rules, "rule_form": rule_form, "reassign_form": reassign_form, "sees_all": True}
    return render(request, "leads/routing.html", context, status=200)
