"""Every person becomes one council's: the council whose frameworks their requests went
through, else the one council whose frameworks cover their area, else the only council.

A person whose requests went through two councils' frameworks (one council's broker typed
the other's reference, which used to overwrite the person) is split: the council of their
first request keeps them, and each other council gets its own person with the same
reference, its packages and the visit logs its providers sent for them.
"""

from __future__ import annotations

from django.db import migrations


def _request_councils(person, BrokerageRequest):
    councils = []
    for council_id in (
        BrokerageRequest.objects.filter(package__person=person)
        .order_by("created_at", "pk")
        .values_list("framework__council_id", flat=True)
    ):
        if council_id not in councils:
            councils.append(council_id)
    return councils


def _area_council(person, Framework, only):
    councils = set(
        Framework.objects.filter(lots__zones__areas=person.area_id).values_list(
            "council_id", flat=True
        )
    )
    if len(councils) == 1:
        return councils.pop()
    return only


def fill_councils(apps, schema_editor):
    Person = apps.get_model("brokerage", "Person")
    Package = apps.get_model("brokerage", "Package")
    BrokerageRequest = apps.get_model("brokerage", "BrokerageRequest")
    Placement = apps.get_model("brokerage", "Placement")
    Framework = apps.get_model("commissioning", "Framework")
    Organisation = apps.get_model("accounts", "Organisation")
    VisitLog = apps.get_model("delivery", "VisitLog")
    councils = list(Organisation.objects.filter(kind="council").order_by("pk"))
    only = councils[0].pk if councils else None
    for person in Person.objects.filter(council__isnull=True).order_by("pk"):
        found = _request_councils(person, BrokerageRequest)
        first = found[0] if found else _area_council(person, Framework, only)
        if first is None:
            raise RuntimeError(
                f"person {person.reference} cannot be given a council: create the council first"
            )
        person.council_id = first
        person.save(update_fields=["council"])
        for other in found[1:]:
            twin = Person.objects.create(
                council_id=other,
                reference=person.reference,
                area_id=person.area_id,
                funding=person.funding,
                cohort=person.cohort,
            )
            packages = Package.objects.filter(
                person=person, requests__framework__council_id=other
            ).distinct()
            providers = set(
                Placement.objects.filter(package__in=packages).values_list("provider_id", flat=True)
            )
            keep = set(
                Placement.objects.filter(package__person=person)
                .exclude(package__in=packages)
                .values_list("provider_id", flat=True)
            )
            VisitLog.objects.filter(person=person, provider_id__in=providers - keep).update(
                person=twin
            )
            Package.objects.filter(pk__in=list(packages.values_list("pk", flat=True))).update(
                person=twin
            )


class Migration(migrations.Migration):
    dependencies = [
        ("brokerage", "0005_person_council_history"),
        ("delivery", "0001_initial"),
    ]

    operations = [migrations.RunPython(fill_councils, migrations.RunPython.noop)]
