"""Each zone belongs to a council; zone codes are unique per council, not across councils.

The data step gives each existing zone the council whose frameworks' lots cover it (the first
such council by id when several do). A zone no lot covers goes to the only council when there
is one, else to the first council by id. When no council exists at all the zones and areas
stored cannot belong to anyone and are removed (they are reference data, imported again from
their source file with the council named). Then the field becomes required.
"""

from django.db import migrations, models
import django.db.models.deletion


def give_zones_councils(apps, schema_editor):
    Zone = apps.get_model("commissioning", "Zone")
    Area = apps.get_model("commissioning", "Area")
    Organisation = apps.get_model("accounts", "Organisation")
    councils = list(Organisation.objects.filter(kind="council").order_by("pk"))
    if not councils:
        Area.objects.all().delete()
        Zone.objects.all().delete()
        return
    for zone in Zone.objects.filter(council__isnull=True):
        covering = Organisation.objects.filter(frameworks__lots__zones=zone).order_by("pk").first()
        zone.council = covering or councils[0]
        zone.save(update_fields=["council"])
    if schema_editor.connection.vendor == "postgresql":
        # The next step alters the table: PostgreSQL refuses while key checks are pending.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("commissioning", "0006_provider_standing_copy"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="zone",
            options={"ordering": ["council_id", "position", "code"]},
        ),
        migrations.AddField(
            model_name="zone",
            name="council",
            field=models.ForeignKey(
                null=True,
                limit_choices_to={"kind": "council"},
                on_delete=django.db.models.deletion.PROTECT,
                related_name="zones",
                to="accounts.organisation",
            ),
        ),
        migrations.RunPython(give_zones_councils, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="zone",
            name="council",
            field=models.ForeignKey(
                limit_choices_to={"kind": "council"},
                on_delete=django.db.models.deletion.PROTECT,
                related_name="zones",
                to="accounts.organisation",
            ),
        ),
        migrations.AlterField(
            model_name="zone",
            name="code",
            field=models.CharField(max_length=40),
        ),
        migrations.AddConstraint(
            model_name="zone",
            constraint=models.UniqueConstraint(
                fields=("council", "code"), name="zone_code_once_per_council"
            ),
        ),
    ]
