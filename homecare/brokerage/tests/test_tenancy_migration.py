"""The migrations that made people and providers' standings each council's, run on data as it
was before them: a person two councils shared (one council's broker typed the other's
reference, which overwrote the person) and a provider's one status for every council."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from homecare.brokerage import actions
from homecare.brokerage.models import Package, Person
from homecare.brokerage.testing import NOW, make_market, make_request, other_council
from homecare.commissioning.market_models import Provider, ProviderStanding
from homecare.commissioning.models import Zone
from homecare.delivery.models import VisitLog
from homecare.delivery.testing import at

BEFORE = [("brokerage", "0005_person_council_history"), ("commissioning", "0005_provider_standing")]


def _migrate(targets: list[tuple[str, str]] | None = None) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_a_shared_person_is_split_and_standings_are_copied_to_each_council(
    geography: Any, council: Any
) -> None:
    framework_a = make_market(council)
    council_b = other_council()
    framework_b = make_market(council_b)
    prime_1, prime_2 = (Provider.objects.get(name=f"Prime {n} (test)") for n in (1, 2))
    a_request = make_request(framework_a, "P-1")
    actions.place_manually(a_request, prime_1, reason="x", now=NOW, acting_user=None)
    b_request = make_request(framework_b, "P-1")
    actions.place_manually(b_request, prime_2, reason="x", now=NOW, acting_user=None)
    lonely = make_request(framework_a, "P-2").package.person  # no other council's request
    for provider, person in (
        (prime_1, a_request.package.person),
        (prime_2, person_b := b_request.package.person),
    ):
        VisitLog.objects.create(
            provider=provider,
            person=person,
            carer_id="C1",
            check_in=at(1, 8),
            method="app",
            created_at=NOW,
        )
    # Zone codes were unique across councils then: council B's zone takes a code of its own.
    Zone.objects.filter(council=council_b).update(code="otherton-west")
    _migrate(BEFORE)
    # As it was: one person for both councils' packages, no council; one status per provider.
    shared = a_request.package.person
    Package.objects.filter(person=person_b).update(person=shared)
    VisitLog.objects.filter(person=person_b).update(person=shared)
    # In SQL: the model's delete would read columns added since (the NHS share).
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM brokerage_person WHERE id = %s", [person_b.pk])
    Person.objects.update(council=None)
    ProviderStanding.objects.all().delete()
    Provider.objects.filter(pk=prime_1.pk).update(status="suspended", quality_score=55)

    _migrate()

    a_person = Package.objects.get(pk=a_request.package_id).person
    b_person = Package.objects.get(pk=b_request.package_id).person
    assert a_person.pk == shared.pk and a_person.council == council
    assert (b_person.council, b_person.reference) == (council_b, "P-1")
    assert VisitLog.objects.get(provider=prime_1).person == a_person
    assert VisitLog.objects.get(provider=prime_2).person == b_person
    assert Person.objects.get(pk=lonely.pk).council == council
    # Each zone is the council's whose lot covers it; a zone no lot covers, the first's.
    assert Zone.objects.get(code="otherton-west").council == council_b
    assert set(Zone.objects.exclude(code="otherton-west").values_list("council", flat=True)) == {
        council.pk
    }
    standings = {
        (s.council, s.provider.name): (s.status, s.quality_score)
        for s in ProviderStanding.objects.filter(provider=prime_1)
    }
    assert standings == {
        (council, "Prime 1 (test)"): ("suspended", 55),
        (council_b, "Prime 1 (test)"): ("suspended", 55),
    }
