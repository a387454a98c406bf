"""Admin forms of the community pages: the city or subdivision is picked from the areas the
site has listings in (live counts in the labels), not typed."""

from __future__ import annotations

from typing import Any

from django import forms
from wagtail.admin.forms import WagtailAdminPageForm


def _choice_field(*, label: str, rows: list[dict[str, Any]], current: str, help_text: str) -> forms.ChoiceField:
    choices = [(r["slug"], f"{r['name']} ({r['count']} listings)") for r in rows]
    if current and current not in {slug for slug, _ in choices}:
        choices.insert(0, (current, f"{current} (no listings on this site today)"))
    return forms.ChoiceField(label=label, choices=[("", "Choose…"), *choices], help_text=help_text)


class CityPageForm(WagtailAdminPageForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from listings.community import community_cities, community_site_scope

        super().__init__(*args, **kwargs)
        self.fields["city_slug"] = _choice_field(
            label="City",
            rows=community_cities(scope=community_site_scope()),
            current=self.instance.city_slug,
            help_text="Cities with listings on this site. The page's address is /communities/<city>/.",
        )


class SubdivisionPageForm(WagtailAdminPageForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from listings.community import community_site_scope, community_subdivisions

        super().__init__(*args, **kwargs)
        self.city_slug = str(getattr(getattr(self.parent_page, "specific", None), "city_slug", "") or "")
        self.fields["subdivision_slug"] = _choice_field(
            label="Subdivision",
            rows=community_subdivisions(scope=community_site_scope(), city_slug=self.city_slug),
            current=self.instance.subdivision_slug,
            help_text="Subdivisions of this city with listings on this site.",
        )

    def clean(self) -> dict[str, Any]:
        # The page is not in the tree yet when it is created: tell it its city for validation.
        self.instance.city_slug = self.city_slug
        return super().clean()
