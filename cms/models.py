"""Page types every site's editors build their site from (Wagtail, one page tree per site)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, HelpPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import AbstractForm, AbstractFormField
from wagtail.contrib.forms.panels import FormSubmissionsPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import BodyStreamBlock
from cms.forms import CityPageForm, SubdivisionPageForm


class HomePage(Page):
    """A site's front page: a hero with the search bar, the chat widget and featured listings."""

    hero_heading = models.CharField(max_length=120, default="Find your next home")
    hero_subheading = models.CharField(max_length=240, blank=True)
    hero_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    show_search_bar = models.BooleanField(default=True)
    show_chat_widget = models.BooleanField(default=True, help_text="Show the AI assistant on this page.")
    body = StreamField(BodyStreamBlock(), blank=True, use_json_field=True)

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("hero_heading"),
                FieldPanel("hero_subheading"),
                FieldPanel("hero_image"),
                FieldPanel("show_search_bar"),
            ],
            "Hero",
        ),
        FieldPanel("show_chat_widget"),
        FieldPanel("body"),
    ]
    subpage_types = ["cms.StandardPage", "cms.BlogIndexPage", "cms.ContactPage", "cms.CommunityIndexPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = "Home page"


class StandardPage(Page):
    """A general content page: about the agent, buying or selling guides, neighbourhoods."""

    introduction = models.TextField(blank=True)
    body = StreamField(BodyStreamBlock(), blank=True, use_json_field=True)

    search_fields = Page.search_fields + [index.SearchField("introduction"), index.SearchField("body")]
    content_panels = Page.content_panels + [FieldPanel("introduction"), FieldPanel("body")]


class BlogIndexPage(Page):
    """Lists the site's blog posts, newest first."""

    introduction = models.TextField(blank=True)
    content_panels = Page.content_panels + [FieldPanel("introduction")]
    subpage_types = ["cms.BlogPage"]

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["posts"] = BlogPage.objects.child_of(self).live().order_by("-date_published")
        return context


class BlogPage(Page):
    """A blog post: market updates, community news, tips for buyers and sellers."""

    date_published = models.DateField("Published on")
    introduction = models.TextField(blank=True)
    image = models.ForeignKey("wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    body = StreamField(BodyStreamBlock(), blank=True, use_json_field=True)

    search_fields = Page.search_fields + [index.SearchField("introduction"), index.SearchField("body")]
    content_panels = Page.content_panels + [
        FieldPanel("date_published"),
        FieldPanel("introduction"),
        FieldPanel("image"),
        FieldPanel("body"),
    ]
    parent_page_types = ["cms.BlogIndexPage"]


# ---- community pages ---------------------------------------------------------------------------
# /communities/<city>/<subdivision>/ on every site is generated from the listings; these page types
# let an agent site's editors write their own for the areas they know. listings.community_views
# serves them at the same addresses (their slugs are pinned to the city's and subdivision's).

_STORE_CHECK: ContextVar[bool] = ContextVar("community_store_check", default=True)


@contextmanager
def community_store_check_skipped() -> Iterator[None]:
    """For seeding only: create community pages without asking the listings store whether
    their city exists. The demo seeds before its first MLS sync, from cities it knows the
    generated feed has (``devtools.spark.feed.geography``)."""
    token = _STORE_CHECK.set(False)
    try:
        yield
    finally:
        _STORE_CHECK.reset(token)


def _scope_of(request: HttpRequest) -> Any:
    from listings.selectors import site_scope

    return site_scope(tenant=getattr(request, "tenant", None))


def _changed(page: Page, *fields: str) -> bool:
    """New page, or one whose ``fields`` differ from the saved row: a page whose area has run
    out of listings can still be edited, but a new or moved one must point at a real area."""
    if page.pk is None:
        return True
    saved = type(page).objects.filter(pk=page.pk).values_list(*fields).first()
    return saved != tuple(getattr(page, f) for f in fields)


LIVE_STATS_HELP = HelpPanel(
    content=(
        "<p><strong>Live market stats and listings.</strong> Under your content, visitors see "
        "today's number of homes for sale here, the median price, median $/sq ft and median days on "
        "market, and the newest listings, computed from the MLS listings this site shows. They update "
        "by themselves after every MLS sync: there is nothing to edit.</p>"
    ),
    heading="Live stats",
)
COMMUNITY_PROMOTE_PANELS = [
    MultiFieldPanel(
        [
            HelpPanel(
                content="<p>The page's address comes from its area: /communities/&lt;city&gt;/&lt;neighbourhood&gt;/.</p>"
            ),
            FieldPanel("seo_title"),
            FieldPanel("search_description"),
        ],
        "For search engines",
    ),
    MultiFieldPanel([FieldPanel("show_in_menus")], "For site menus"),
]


class CommunityIndexPage(Page):
    """The site's /communities/ page: the editor's introduction, the city guides they wrote,
    and a live table of every city with listings on the site (count and medians)."""

    SLUG = "communities"

    introduction = models.TextField(blank=True)
    body = StreamField(BodyStreamBlock(), blank=True, use_json_field=True)

    content_panels = Page.content_panels + [LIVE_STATS_HELP, FieldPanel("introduction"), FieldPanel("body")]
    promote_panels = COMMUNITY_PROMOTE_PANELS
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.CityPage"]
    max_count = 1

    class Meta:
        verbose_name = "Communities index"

    def full_clean(self, *args: Any, **kwargs: Any) -> None:
        self.slug = self.SLUG
        super().full_clean(*args, **kwargs)

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from listings.community import community_cities

        context = super().get_context(request, *args, **kwargs)
        context["cities"] = community_cities(scope=_scope_of(request))
        context["guides"] = CityPage.objects.child_of(self).live().public().order_by("title")
        return context


class CommunityPage(Page):
    """What city and subdivision pages share: the editor's introduction, hero image and body."""

    introduction = models.TextField(blank=True, help_text="A sentence or two under the title.")
    hero_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = StreamField(BodyStreamBlock(), blank=True, use_json_field=True)

    promote_panels = COMMUNITY_PROMOTE_PANELS
    search_fields = Page.search_fields + [index.SearchField("introduction"), index.SearchField("body")]

    @staticmethod
    def panels_for(area_field: str) -> list[Any]:
        """The editor's form: which area the page is about first, then the shared content."""
        return Page.content_panels + [
            FieldPanel(area_field),
            LIVE_STATS_HELP,
            FieldPanel("introduction"),
            FieldPanel("hero_image"),
            FieldPanel("body"),
        ]

    class Meta:
        abstract = True


class CityPage(CommunityPage):
    """A city guide at /communities/<city>/: the agent's own words about a city (schools,
    neighbourhoods, lifestyle) above its live market stats, newest listings and the table of
    its subdivisions. Without one, the city still has the generated page."""

    city_slug = models.SlugField(
        "City", max_length=120, help_text="One of the cities with listings on this site (from the MLS)."
    )

    content_panels = CommunityPage.panels_for("city_slug")
    base_form_class = CityPageForm
    parent_page_types = ["cms.CommunityIndexPage"]
    subpage_types = ["cms.SubdivisionPage"]

    class Meta:
        verbose_name = "City page"

    def full_clean(self, *args: Any, **kwargs: Any) -> None:
        if self.city_slug:
            self.slug = self.city_slug
        super().full_clean(*args, **kwargs)

    def clean(self) -> None:
        from listings.community import community_city_stats, community_site_scope

        if self.city_slug:
            other = CityPage.objects.filter(city_slug=self.city_slug).exclude(pk=self.pk).first()
            if other is not None:
                raise ValidationError({"city_slug": f"This city already has a page: “{other.title}”."})
            if _changed(self, "city_slug"):
                if self.pk is not None and SubdivisionPage.objects.child_of(self).exists():
                    raise ValidationError(
                        {"city_slug": "Move or delete its neighbourhood pages before changing the city."}
                    )
                if (
                    _STORE_CHECK.get()
                    and community_city_stats(scope=community_site_scope(), city_slug=self.city_slug) is None
                ):
                    raise ValidationError(
                        {"city_slug": "This site has no listings in that city: choose one from the list."}
                    )
        super().clean()

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from listings.community import community_city

        context = super().get_context(request, *args, **kwargs)
        found = community_city(scope=_scope_of(request), city_slug=self.city_slug)
        context["community"] = found
        context["city_name"] = found.city["name"] if found else self.title
        context["guides"] = SubdivisionPage.objects.child_of(self).live().public().order_by("title")
        return context


class SubdivisionPage(CommunityPage):
    """A neighbourhood guide at /communities/<city>/<subdivision>/, under its city's page: the
    agent's take on a subdivision (HOA, architecture, what's nearby) above its live stats and
    newest listings. Without one, the subdivision still has the generated page."""

    city_slug = models.SlugField(max_length=120, editable=False)  # the parent city page's
    subdivision_slug = models.SlugField(
        "Subdivision", max_length=120, help_text="One of the city's subdivisions with listings on this site."
    )

    content_panels = CommunityPage.panels_for("subdivision_slug")
    base_form_class = SubdivisionPageForm
    parent_page_types = ["cms.CityPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = "Subdivision page"

    def full_clean(self, *args: Any, **kwargs: Any) -> None:
        if self.subdivision_slug:
            self.slug = self.subdivision_slug
        super().full_clean(*args, **kwargs)

    def clean(self) -> None:
        from listings.community import community_site_scope, community_subdivisions

        parent = self.get_parent()  # None while the admin creates it: its form sets city_slug
        if parent is not None:
            self.city_slug = getattr(parent.specific, "city_slug", "")
        if not self.city_slug:
            raise ValidationError("A subdivision page goes under its city's page.")
        if self.subdivision_slug:
            pair = {"city_slug": self.city_slug, "subdivision_slug": self.subdivision_slug}
            other = SubdivisionPage.objects.filter(**pair).exclude(pk=self.pk).first()
            if other is not None:
                raise ValidationError({"subdivision_slug": f"This subdivision already has a page: “{other.title}”."})
            check = _STORE_CHECK.get() and _changed(self, "city_slug", "subdivision_slug")
            known = community_subdivisions(scope=community_site_scope(), city_slug=self.city_slug) if check else []
            if check and self.subdivision_slug not in {s["slug"] for s in known}:
                raise ValidationError(
                    {"subdivision_slug": "This site has no listings in that subdivision: choose one from the list."}
                )
        super().clean()

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from listings.community import community_subdivision

        context = super().get_context(request, *args, **kwargs)
        found = community_subdivision(
            scope=_scope_of(request), city_slug=self.city_slug, subdivision_slug=self.subdivision_slug
        )
        parent = self.get_parent().specific
        context["community"] = found
        context["city_page"] = parent
        context["city_name"] = found.city["name"] if found else parent.title
        return context


COMMUNITY_PAGE_TYPES = (CommunityIndexPage, CityPage, SubdivisionPage)


class ContactFormField(AbstractFormField):
    page = ParentalKey("ContactPage", on_delete=models.CASCADE, related_name="form_fields")


class ContactPage(AbstractForm):
    """A contact form; each submission becomes a lead, and the agent is emailed at the
    contact address in the site's branding settings."""

    introduction = RichTextField(blank=True)
    thank_you_text = RichTextField(blank=True)

    content_panels = AbstractForm.content_panels + [
        FormSubmissionsPanel(),
        FieldPanel("introduction"),
        InlinePanel("form_fields", label="Form fields"),
        FieldPanel("thank_you_text"),
    ]

    def process_form_submission(self, form: Any) -> Any:
        from leads.services import lead_create_from_form

        submission = super().process_form_submission(form)
        lead_create_from_form(page=self, data=form.cleaned_data, user=getattr(form, "user", None))
        return submission
