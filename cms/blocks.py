"""StreamField blocks editors compose pages from."""

from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock


class HeroBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120)
    subheading = blocks.CharBlock(max_length=240, required=False)
    image = ImageChooserBlock(required=False)
    show_search = blocks.BooleanBlock(required=False, default=True, help_text="Show the listing search bar.")

    class Meta:
        icon = "image"
        template = "cms/blocks/hero.html"


class FeaturedListingsBlock(blocks.StructBlock):
    """Live listings from the MLS store, filtered by city or subdivision."""

    heading = blocks.CharBlock(max_length=120, default="Featured listings")
    city = blocks.CharBlock(max_length=80, required=False)
    subdivision = blocks.CharBlock(max_length=120, required=False)
    max_price = blocks.IntegerBlock(required=False, min_value=0)
    count = blocks.IntegerBlock(default=6, min_value=1, max_value=24)

    class Meta:
        icon = "home"
        template = "cms/blocks/featured_listings.html"


class CallToActionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120)
    text = blocks.TextBlock(required=False)
    button_label = blocks.CharBlock(max_length=40)
    button_url = blocks.URLBlock()

    class Meta:
        icon = "pick"
        template = "cms/blocks/cta.html"


class BodyStreamBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(form_classname="title", icon="title", template="cms/blocks/heading.html")
    paragraph = blocks.RichTextBlock(features=["bold", "italic", "link", "ol", "ul", "h3", "h4"])
    image = ImageChooserBlock(template="cms/blocks/image.html")
    featured_listings = FeaturedListingsBlock()
    call_to_action = CallToActionBlock()
    quote = blocks.BlockQuoteBlock()
