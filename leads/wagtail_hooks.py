from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from leads.menu import CrmMenuItem
from leads.models import Lead, RoutingConfig, RoutingRule


class LeadViewSet(SnippetViewSet):
    model = Lead
    icon = "user"
    menu_label = "Leads"
    menu_order = 200
    add_to_admin_menu = True
    list_display = ["name", "email", "source", "status", "created_at"]
    list_filter = ["source", "status"]
    search_fields = ["name", "email", "message"]


register_snippet(LeadViewSet)


class RoutingRuleViewSet(SnippetViewSet):
    """The site owner's routing rules (tried in order) for new leads."""

    model = RoutingRule
    icon = "resubmit"
    menu_label = "Lead routing"
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["position", "kind", "source", "city", "min_price", "max_price", "agent"]


register_snippet(RoutingRuleViewSet)


class RoutingConfigViewSet(SnippetViewSet):
    """How long a new lead may go unanswered before it moves to the next agent."""

    model = RoutingConfig
    icon = "time"
    menu_label = "Lead reassignment"
    menu_order = 211
    add_to_admin_menu = True


register_snippet(RoutingConfigViewSet)


@hooks.register("register_admin_menu_item")
def crm_menu_item() -> CrmMenuItem:
    """The agent's pipeline (/crm/) from the site admin, where the network dashboard lands."""
    return CrmMenuItem("Pipeline", "/crm/", icon_name="list-ul", order=190)


@hooks.register("register_admin_menu_item")
def deals_menu_item() -> CrmMenuItem:
    """Closed deals, their commission splits and each agent's earnings (/crm/earnings/)."""
    return CrmMenuItem("Deals and earnings", "/crm/deals/", icon_name="doc-full", order=191)
