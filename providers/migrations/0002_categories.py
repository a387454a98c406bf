from django.db import migrations

CATEGORIES = [
    ("lender", "Mortgage lender", "nmls", True),
    ("inspector", "Home inspector", "", False),
    ("escrow", "Escrow", "", False),
    ("title", "Title company", "", False),
    ("contractor", "Contractor", "cslb", True),
    ("developer", "Developer", "", False),
    ("insurance", "Insurance", "", False),
    ("photographer", "Photographer", "", False),
]


def seed(apps, schema_editor):
    Category = apps.get_model("providers", "Category")
    for position, (slug, name, kind, required) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "licence_kind": kind, "licence_required": required, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("providers", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
