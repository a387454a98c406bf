"""Mail billing sends a subscriber (a failed payment, a trial ending) comes from their site, like
the rest of a site's mail (``themes.mail``): its name as the sender's, Reply-To its agent, its
layout. Webhook handlers run inside the subscriber's site schema, so the message is built there
and sent once the transaction commits (a rolled-back webhook, which Stripe retries, sends
nothing twice; the callbacks run after the handler left the site's schema)."""

from __future__ import annotations

from django.db import transaction


def billing_mail_on_commit(*, to: str, subject: str, text: str) -> None:
    from themes.mail import site_mail

    message = site_mail(subject=subject, to=[to], text=text)
    transaction.on_commit(lambda: message.send(fail_silently=True))
