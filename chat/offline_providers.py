"""The offline assistant's service-provider requests (issue 17): "get pre-approved", "book an
inspection", "open escrow", "I need a title company"... become a ``request_provider`` call, as
the Groq path makes it, with the listing on screen (its city) or the city named, and the
visitor's contact when the message carries it. The tool checks every argument (the category
against the directory's active categories, the city against the area's, the email) and
refuses with a reason the answer passes on; a visitor asked for their email who answers with
it sends the request then (``retry_with_contact``)."""

from __future__ import annotations

import re
from typing import Any

# (category slug, what asks for it). Each pattern names the service, not just a word that a
# home search could contain ("seller financing", "in escrow", "new construction").
KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "lender",
        re.compile(
            r"\b(?:pre-?approv\w*|pre-?qualif\w*|(?:mortgage|home loan|loan) (?:lender|broker|officer|pre-?approval|"
            r"quotes?|rates?)|lenders?|(?:get|need|find|arrange|apply for) (?:a |my |the )?(?:mortgage|home loan|"
            r"loan|financing))\b"
        ),
    ),
    (
        "inspector",
        re.compile(
            r"\b(?:(?:home |house |property )?inspections?|inspectors?|inspect (?:it|this|that|the (?:house|home|place|"
            r"condo|property)))\b"
        ),
    ),
    ("escrow", re.compile(r"\b(?:open(?:ing)? (?:an? )?escrow|escrow (?:officer|company|agent|account|services?))\b")),
    ("title", re.compile(r"\btitle (?:company|companies|insurance|officer|report|search)\b")),
    (
        "insurance",
        re.compile(
            r"\b(?:home ?owners?'? insurance|home insurance|insurance (?:quotes?|agent|company|broker)|"
            r"insure (?:it|this|the (?:house|home|place|condo)))\b"
        ),
    ),
    ("contractor", re.compile(r"\b(?:contractors?|(?:remodel\w*|renovation|repair) (?:quotes?|estimates?|bids?))\b")),
    ("photographer", re.compile(r"\bphotographers?\b")),
)
_NOT_A_REQUEST = re.compile(r"\b(?:in escrow|close of escrow|escrow closed|seller financing|owner financing)\b")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\d)(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?!\d)")
# "my name is Ann Buyer", "I'm Ann", "this is Ann Buyer": one or two capitalised words.
_NAME = re.compile(r"\b(?:[Mm]y name is|[Ii] am|[Ii]'m|[Tt]his is|[Nn]ame:)\s+([A-Z][a-z'-]+(?: [A-Z][a-z'-]+)?)")
_NAME_FIRST = re.compile(r"^\s*([A-Z][a-z'-]+ [A-Z][a-z'-]+)\s*[,;]")  # "Ann Buyer, ann@example.com"


def provider_kind(normalised: str) -> str | None:
    """The provider category a (normalised) message asks for, or None."""
    if _NOT_A_REQUEST.search(normalised):
        return None
    for slug, pattern in KINDS:
        if pattern.search(normalised):
            return slug
    return None


def contact_of(text: str) -> dict[str, str]:
    """The visitor's name, email and phone, when the message gives them."""
    out: dict[str, str] = {}
    email = EMAIL.search(text)
    if email:
        out["email"] = email.group(0)[:254]
    phone = _PHONE.search(EMAIL.sub(" ", text))
    if phone:
        out["phone"] = phone.group(0).strip()[:32]
    name = _NAME.search(text) or _NAME_FIRST.search(text)
    if name and name.group(1).casefold() not in {"looking", "interested", "buying", "selling"}:
        out["name"] = name.group(1)[:120]
    return out


def provider_request(
    text: str, normalised: str, *, listing_key: str | None, city: Any, previous: dict[str, Any] | None
) -> dict[str, Any] | None:
    """The ``request_provider`` arguments for a message that asks for a provider, or None.

    The city is the one named, else the listing's (the tool reads it from the listing), else
    the previous search's when it was one city."""
    category = provider_kind(normalised)
    if category is None:
        return None
    args: dict[str, Any] = {"category": category, "message": text.strip()[:2000]}
    if listing_key:
        args["listingKey"] = listing_key
    named = city[0] if isinstance(city, list) and city else city
    earlier = (previous or {}).get("city")
    if isinstance(named, str) and named:
        args["city"] = named
    elif not listing_key and isinstance(earlier, str) and earlier:
        args["city"] = earlier
    return {**args, **contact_of(text)}


def retry_with_contact(text: str, pending: dict[str, Any] | None) -> tuple[str, dict[str, Any]] | None:
    """The request the assistant asked the visitor's email for, now that the message gives it."""
    if not pending or not EMAIL.search(text):
        return None
    return pending["name"], {**pending["arguments"], **contact_of(text)}


# What the offline answer says for a refusal the visitor can act on (the tools' own messages
# are written for the model: "ask the visitor for ...").
VISITOR_MESSAGES = {
    "contact_required": (
        "I can send that for you: what's your name and email address? (For example: "
        "“Ann Buyer, ann@example.com”.) They will answer you by email."
    ),
    "city_required": "Which city is it for? For example: “get pre-approved in Palm Springs”.",
    "rate_limited": "Too many requests were sent from here recently; please try again later.",
}


def request_answer(content: dict[str, Any]) -> str:
    sent = content.get("sentTo") or []
    who = ", ".join(sent) if sent else "local providers"
    return (
        f"Done: I sent your request to {who} ({content.get('category', 'providers').lower()} in "
        f"{str(content.get('city', '')).replace('-', ' ').title()}). They will answer you by email."
    )
