"""The Lead model now lives in the ``leads`` app (its migration renames the table first)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0002_communityindexpage_citypage_subdivisionpage"),
        ("leads", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="Lead")], database_operations=[]),
    ]
