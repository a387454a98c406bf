from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from wagtail import hooks
from wagtail.models import Page

from cms.models import COMMUNITY_PAGE_TYPES, SubdivisionPage

# ---- community pages: one page per area, at the area's address ------------------------------


@hooks.register("before_copy_page")
def community_pages_are_not_copied(request: HttpRequest, page: Page) -> HttpResponse | None:
    """A copy would be a second page for the same city or subdivision at another address."""
    if not isinstance(page.specific, COMMUNITY_PAGE_TYPES):
        return None
    messages.error(request, "Community pages can't be copied: each city and subdivision has one page.")
    return redirect("wagtailadmin_explore", page.get_parent().pk)


@hooks.register("before_move_page")
def subdivision_pages_stay_in_their_city(request: HttpRequest, page: Page, destination: Page) -> HttpResponse | None:
    """A subdivision page belongs to its city: moving it elsewhere would point it at a
    subdivision the other city does not have."""
    specific = page.specific
    if not isinstance(specific, SubdivisionPage) or destination.pk == specific.get_parent().pk:
        return None
    messages.error(request, "A subdivision page stays under its city's page.")
    return redirect("wagtailadmin_explore", specific.get_parent().pk)
