"""Each provider's status and quality score, until now one for every council, become the
standing of each council the provider has appointments or placements with."""

from __future__ import annotations

from django.db import migrations


def copy_standings(apps, schema_editor):
    Provider = apps.get_model("commissioning", "Provider")
    ProviderStanding = apps.get_model("commissioning", "ProviderStanding")
    Appointment = apps.get_model("commissioning", "Appointment")
    Placement = apps.get_model("brokerage", "Placement")
    pairs = set(Appointment.objects.values_list("framework__council_id", "provider_id"))
    pairs |= set(Placement.objects.values_list("request__framework__council_id", "provider_id"))
    providers = Provider.objects.in_bulk({provider_id for _, provider_id in pairs})
    ProviderStanding.objects.bulk_create(
        [
            ProviderStanding(
                council_id=council_id,
                provider_id=provider_id,
                status=providers[provider_id].status,
                status_reason=providers[provider_id].status_reason,
                quality_score=providers[provider_id].quality_score,
            )
            for council_id, provider_id in sorted(pairs)
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("commissioning", "0005_provider_standing"),
        ("brokerage", "0004_request_submission_key"),
    ]

    operations = [migrations.RunPython(copy_standings, migrations.RunPython.noop)]
