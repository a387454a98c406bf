"""The agent sends a client a listing or one of their saved searches by email, from the site,
and the mail goes on the client's timeline."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from leads.models import Activity, Contact

SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,199}$")


def client_send(
    *, contact: Contact, actor: Any, listing: str = "", saved_search_id: int | None = None, note: str = ""
) -> str:
    """Mail a link to a listing (its slug or its page's address) or a saved search; returns
    what was sent. Raises ValueError on bad input."""
    from django.apps import apps

    from themes.mail import mail_identity, site_mail

    if not contact.email:
        raise ValueError("This client has no email address.")
    identity = mail_identity()
    if listing:
        slug = listing.strip().rstrip("/").rsplit("/", 1)[-1]
        if not SLUG.match(slug):
            raise ValueError("Give the listing's address on this site (…/listings/<name>/).")
        link, what = f"{identity.site_url}/listings/{slug}/", f"a home: {slug}"
    elif saved_search_id is not None:
        user_id = contact.user_id
        saved_search = apps.get_model("listings", "SavedSearch")  # by name: listings imports leads
        search = saved_search.objects.filter(pk=saved_search_id, user_id=user_id).first() if user_id else None
        if search is None:
            raise ValueError("Choose one of the client's saved searches.")
        link = f"{identity.site_url}/search/?{urlencode(search.query, doseq=True)}"
        what = f"the search “{search.name}”"
    else:
        raise ValueError("Choose a listing or a saved search to send.")
    text = (note.strip()[:2000] + "\n\n" if note.strip() else "") + link
    sender = getattr(actor, "full_name", "") or identity.branding.site_name
    site_mail(subject=f"{sender} sent you {what}"[:200], to=[contact.email], text=text, identity=identity).send()
    Activity.objects.create(contact=contact, kind=Activity.Kind.EMAIL, text=f"Sent {what}: {link}", actor=actor)
    return what
