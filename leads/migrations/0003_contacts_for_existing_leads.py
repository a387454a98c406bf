"""Each existing lead gets its person: leads with the same email (or phone) share one contact."""

import re

from django.db import migrations


def _contacts(apps, schema_editor):  # type: ignore[no-untyped-def]
    lead_model = apps.get_model("leads", "Lead")
    contact_model = apps.get_model("leads", "Contact")
    activity_model = apps.get_model("leads", "Activity")
    by_email: dict = {}
    by_phone: dict = {}
    for lead in lead_model.objects.filter(contact__isnull=True).order_by("created_at", "pk"):
        email = lead.email.strip().lower()
        digits = re.sub(r"\D", "", lead.phone)
        contact = by_email.get(email) if email else None
        contact = contact or (by_phone.get(digits) if digits else None)
        if contact is None:
            contact = contact_model.objects.create(
                name=lead.name, email=email, phone=lead.phone, phone_digits=digits, user_id=lead.user_id
            )
        if email:
            by_email[email] = contact
        if digits:
            by_phone[digits] = contact
        lead.contact = contact
        lead.save(update_fields=["contact"])
        activity_model.objects.create(contact=contact, lead=lead, kind="lead", text=lead.message[:500])
        activity_model.objects.filter(lead=lead).update(created_at=lead.created_at)


class Migration(migrations.Migration):
    dependencies = [("leads", "0002_crm")]

    operations = [migrations.RunPython(_contacts, migrations.RunPython.noop)]
