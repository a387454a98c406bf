"""Mails of the CRM: the new-lead notice (everything needed to call back within a minute: phone,
the home and its link, the preferred time, a link to the lead) and task reminders."""

from __future__ import annotations

from django.utils import timezone

from leads.models import Lead, Task


def _lead_url(lead: Lead, site_url: str) -> str:
    """The lead in the site's CRM (the flagship's too)."""
    return f"{site_url}/crm/leads/{lead.pk}/"


def _lead_lines(lead: Lead, site_url: str) -> list[str]:
    who = lead.name or "a visitor"
    lines = [f"{lead.get_source_display()} from {who}", f"Phone: {lead.phone or '-'}", f"Email: {lead.email or '-'}"]
    data = lead.data or {}
    if data.get("address"):
        url = data.get("url") or (f"/listings/{data['slug']}/" if data.get("slug") else "")
        lines.append(f"Home: {data['address']}" + (f" ({site_url}{url})" if url else ""))
    elif lead.listing_key:
        lines.append(f"Listing: {lead.listing_key}")
    if data.get("when"):
        lines.append(f"Preferred time: {data['when']}")
    if data.get("price"):
        lines.append(f"Price: ${int(data['price']):,}")
    lines += ["", lead.message or "(no message)", ""]
    lines.append(f"Open the lead: {_lead_url(lead, site_url)}")
    return lines


def lead_notify_agent(*, lead_id: int) -> bool:
    """Email the lead's agent (else the site's contact address) about a new lead, from the site
    itself, with Reply-To the person who asked so the agent can answer in one click. The
    flagship's leads go to the brokerage: its branding's contact email, else FLAGSHIP_LEADS_EMAIL."""
    from django.conf import settings

    from themes.mail import mail_identity, site_mail

    lead = Lead.objects.select_related("assigned_to").filter(pk=lead_id).first()
    if lead is None:
        return False
    identity = mail_identity()
    fallback = identity.branding.contact_email or (
        settings.FLAGSHIP_LEADS_EMAIL if identity.branding.is_flagship else ""
    )
    to = (lead.assigned_to.email if lead.assigned_to else "") or fallback
    if not to:
        return False
    who = lead.name or "a visitor"
    message = site_mail(
        subject=f"New lead on {identity.branding.site_name}: {lead.get_source_display().lower()} from {who}"
        + (f", {lead.phone}" if lead.phone else ""),
        to=[to],
        text="\n".join(_lead_lines(lead, identity.site_url)),
        identity=identity,
    )
    if lead.email:
        message.reply_to = [lead.email]
    message.send()
    return True


def tasks_remind_due() -> int:
    """Mail each due, open, not yet reminded task to its agent (once)."""
    from themes.mail import mail_identity, site_mail

    due = Task.objects.filter(done_at__isnull=True, reminded_at__isnull=True, due_at__lte=timezone.now())
    sent = 0
    identity = None
    for task in due.select_related("lead", "assigned_to"):
        to = task.assigned_to.email if task.assigned_to else ""
        if to:
            identity = identity or mail_identity()
            lead = task.lead
            text = f"Due: {task.title}\nFor: {lead.name or lead.email} ({lead.phone or 'no phone'})\n\n"
            text += f"Open the lead: {_lead_url(lead, identity.site_url)}"
            site_mail(subject=f"Reminder: {task.title}", to=[to], text=text, identity=identity).send()
            sent += 1
        Task.objects.filter(pk=task.pk).update(reminded_at=timezone.now())
    return sent
