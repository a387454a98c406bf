"""The Lead model moves here from ``cms``. Site schemas already hold leads in ``cms_lead``: that
table is renamed (rows, ids and sequence kept) and its content type handed over, so permissions
and admin history follow. Schemas without it (the public schema) get a new table."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _move_or_create(apps, schema_editor):  # type: ignore[no-untyped-def]
    connection = schema_editor.connection
    lead = apps.get_model("leads", "Lead")
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
    if "cms_lead" in tables and "leads_lead" not in tables:
        schema_editor.execute("ALTER TABLE cms_lead RENAME TO leads_lead")
    elif "leads_lead" not in tables:
        schema_editor.create_model(lead)
    if "django_content_type" in tables:
        # The moved model keeps its content type id (permissions, log entries point at it).
        schema_editor.execute(
            "UPDATE django_content_type SET app_label = 'leads' WHERE app_label = 'cms' AND model = 'lead' "
            "AND NOT EXISTS (SELECT 1 FROM django_content_type WHERE app_label = 'leads' AND model = 'lead')"
        )


def _back(apps, schema_editor):  # type: ignore[no-untyped-def]
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
    if "leads_lead" in tables and "cms_lead" not in tables:
        schema_editor.execute("ALTER TABLE leads_lead RENAME TO cms_lead")
        if "django_content_type" in tables:
            schema_editor.execute(
                "UPDATE django_content_type SET app_label = 'cms' WHERE app_label = 'leads' AND model = 'lead' "
                "AND NOT EXISTS (SELECT 1 FROM django_content_type WHERE app_label = 'cms' AND model = 'lead')"
            )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("cms", "0002_communityindexpage_citypage_subdivisionpage"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Lead",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        (
                            "source",
                            models.CharField(
                                choices=[
                                    ("contact_form", "Contact form"),
                                    ("showing_request", "Showing request"),
                                    ("chat", "AI assistant"),
                                    ("cma", "CMA request"),
                                ],
                                max_length=32,
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[("new", "New"), ("contacted", "Contacted"), ("closed", "Closed")],
                                default="new",
                                max_length=16,
                            ),
                        ),
                        ("name", models.CharField(blank=True, max_length=150)),
                        ("email", models.EmailField(blank=True, max_length=254)),
                        ("phone", models.CharField(blank=True, max_length=32)),
                        ("message", models.TextField(blank=True)),
                        ("listing_key", models.CharField(blank=True, max_length=64)),
                        ("data", models.JSONField(blank=True, default=dict)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "user",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="leads",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={"ordering": ["-created_at"]},
                ),
            ],
            database_operations=[],
        ),
        # After the state has the model, so the function can build the table from it.
        migrations.RunPython(_move_or_create, _back),
    ]
