from wagtail import hooks

from leads.menu import SiteOnlyMenuItem


@hooks.register("register_admin_menu_item")
def analytics_menu_item() -> SiteOnlyMenuItem:
    """The site's analytics dashboard (/analytics/) from the site admin."""
    return SiteOnlyMenuItem("Analytics", "/analytics/", icon_name="pick", order=195)
