from wagtail import hooks

from leads.menu import CrmMenuItem


@hooks.register("register_admin_menu_item")
def analytics_menu_item() -> CrmMenuItem:
    """The site's analytics dashboard (/analytics/) from the site admin."""
    return CrmMenuItem("Analytics", "/analytics/", icon_name="pick", order=195)
