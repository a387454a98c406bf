"""Page types every site's editors build their site from (Wagtail, one page tree per site)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import AbstractForm, AbstractFormField
from wagtail.contrib.forms.panels import FormSubmissionsPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import BodyStreamBlock


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
    subpage_types = ["cms.StandardPage", "cms.BlogIndexPage", "cms.ContactPage"]
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
        from django.db import transaction

        from cms.services import lead_create_from_form
        from cms.tasks import lead_notify
        from tenants.db import current_schema

        submission = super().process_form_submission(form)
        lead = lead_create_from_form(page=self, data=form.cleaned_data, user=getattr(form, "user", None))
        schema = current_schema()
        transaction.on_commit(lambda: lead_notify.delay(schema_name=schema, lead_id=lead.pk))
        return submission


class Lead(models.Model):
    """Someone who asked the agent for something: a contact form, a showing, a CMA."""

    class Source(models.TextChoices):
        CONTACT_FORM = "contact_form", "Contact form"
        SHOWING_REQUEST = "showing_request", "Showing request"
        CHAT = "chat", "AI assistant"
        CMA = "cma", "CMA request"

    class Status(models.TextChoices):
        NEW = "new", "New"
        CONTACTED = "contacted", "Contacted"
        CLOSED = "closed", "Closed"

    source = models.CharField(max_length=32, choices=Source.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    name = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    message = models.TextField(blank=True)
    listing_key = models.CharField(max_length=64, blank=True)
    user = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="leads")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("status"),
        FieldPanel("source", read_only=True),
        FieldPanel("name", read_only=True),
        FieldPanel("email", read_only=True),
        FieldPanel("phone", read_only=True),
        FieldPanel("message", read_only=True),
        FieldPanel("listing_key", read_only=True),
    ]

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_source_display()}: {self.name or self.email}"
