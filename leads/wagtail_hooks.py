from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from leads.models import Lead


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
