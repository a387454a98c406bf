"""``{{ cents|money }}`` → ``$1,234.56``; ``{{ cents|dollars }}`` → ``$1,235``."""

from django import template

from rentals.pricing import money as _money

register = template.Library()


@register.filter
def money(cents: int | None) -> str:
    return "" if cents is None else _money(int(cents))


@register.filter
def dollars(cents: int | None) -> str:
    return "" if cents is None else f"${round(int(cents) / 100):,}"
