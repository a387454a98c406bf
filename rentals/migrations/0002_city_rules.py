from decimal import Decimal

from django.db import migrations

# Palm Springs: 11.5% transient occupancy tax and a vacation rental registration number on
# every listing (Palm Springs Municipal Code 5.25). Other cities are added in the admin.
RULES = [("palm-springs", "Palm Springs", Decimal("11.5"), True, "Vacation rental registration number")]


def seed(apps, schema_editor):
    CityRule = apps.get_model("rentals", "CityRule")
    for slug, name, tax, permit, label in RULES:
        CityRule.objects.get_or_create(
            city_slug=slug,
            defaults={"name": name, "occupancy_tax_percent": tax, "permit_required": permit, "permit_label": label},
        )


class Migration(migrations.Migration):
    dependencies = [("rentals", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
