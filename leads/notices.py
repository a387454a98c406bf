"""The mail that tells the agent about a new lead: everything needed to call back within a
minute (phone, the home and its link, the preferred time, a link to the lead)."""

from __future__ import annotations

from leads.models import Lead


def lead_notify_agent(*, lead_id: int) -> bool:
    """Email the site's agent about a new lead (runs in the site's schema, in a task), from the
    site itself, with Reply-To the person who asked so the agent can answer in one click. The
    flagship's leads go to the brokerage: its branding's contact email, else FLAGSHIP_LEADS_EMAIL."""
    from django.conf import settings

    from themes.mail import mail_identity, site_mail

    lead = Lead.objects.filter(pk=lead_id).first()
    if lead is None:
        return False
    identity = mail_identity()
    to = identity.branding.contact_email or (settings.FLAGSHIP_LEADS_EMAIL if identity.branding.is_flagship else "")
    if not to:
        return False
    who = lead.name or "a visitor"
    lines = [f"{lead.get_source_display()} from {who}", f"Email: {lead.email or '-'}", f"Phone: {lead.phone or '-'}"]
    if lead.data.get("address"):
        lines.append(f"Home: {lead.data['address']} ({identity.site_url}/listings/{lead.data.get('slug', '')}/)")
    lines += ["", lead.message, "", f"All your leads: {identity.site_url}/cms/snippets/leads/lead/"]
    message = site_mail(
        subject=f"New lead on {identity.branding.site_name}: {lead.get_source_display().lower()} from {who}",
        to=[to],
        text="\n".join(lines),
        identity=identity,
    )
    if lead.email:
        message.reply_to = [lead.email]
    message.send()
    return True
