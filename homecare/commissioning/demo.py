"""The demo: a council, two invented providers, personas, the default geography, rate cards.

Everything here is synthetic except the council's name and geography: the providers and
people are made up and marked "(demo)". Loading is idempotent, so ``load_demo`` can be run
on every start of ``make demo``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from homecare.accounts import actions as accounts
from homecare.accounts.models import Membership, Organisation
from homecare.commissioning import actions

DEMO_PASSWORD = "homecare-demo"
COUNCIL = "Leicestershire County Council (demo)"
PROVIDER_A = "Quillfield Home Support (demo)"
PROVIDER_B = "Wrenlow Care Services (demo)"
# A shipped card's council is named as the card names it; demo copies carry "(demo)".
CARD_COUNCILS = {"Leicestershire County Council": COUNCIL}


# Reserved for examples (RFC 2606): no mail to a persona can reach a real mailbox.
EMAIL_DOMAIN = "example.org"


@dataclass(frozen=True)
class Persona:
    username: str
    first_name: str
    last_name: str
    organisation: str
    role: str

    @property
    def email(self) -> str:
        """Where the demo's mail to this persona goes (the console, in ``make demo``)."""
        return f"{self.username}@{EMAIL_DOMAIN}"


PERSONAS = (
    Persona("commissioner", "Demo", "Commissioner", COUNCIL, Membership.Role.COMMISSIONER),
    Persona("broker", "Demo", "Broker", COUNCIL, Membership.Role.BROKER),
    Persona("finance", "Demo", "Finance", COUNCIL, Membership.Role.FINANCE),
    Persona("provider-a", "Demo", "Provider A", PROVIDER_A, Membership.Role.PROVIDER),
    Persona("provider-b", "Demo", "Provider B", PROVIDER_B, Membership.Role.PROVIDER),
)


@dataclass(frozen=True)
class DemoSummary:
    personas: tuple[Persona, ...]
    zones: int
    areas: int
    rate_cards: tuple[str, ...]


@transaction.atomic
def load_demo(*, acting_user: Any = None) -> DemoSummary:
    """Create or refresh the demo organisations, personas, geography and rate cards."""
    from carecore.geography import default_geography
    from carecore.pricing.rate_cards import load_rate_card, shipped_rate_cards

    organisations = {
        COUNCIL: accounts.create_organisation(
            COUNCIL, kind=Organisation.Kind.COUNCIL, acting_user=acting_user
        ),
        PROVIDER_A: accounts.create_organisation(
            PROVIDER_A, kind=Organisation.Kind.PROVIDER, acting_user=acting_user
        ),
        PROVIDER_B: accounts.create_organisation(
            PROVIDER_B, kind=Organisation.Kind.PROVIDER, acting_user=acting_user
        ),
    }
    for persona in PERSONAS:
        accounts.create_persona(
            persona.username,
            password=DEMO_PASSWORD,
            organisation=organisations[persona.organisation],
            role=persona.role,
            first_name=persona.first_name,
            last_name=persona.last_name,
            email=persona.email,
            acting_user=acting_user,
        )
    geo = default_geography()
    actions.import_geography(geo, acting_user=acting_user)
    names = tuple(shipped_rate_cards())
    for name in names:
        card = load_rate_card(name)
        council_name = CARD_COUNCILS.get(card.council, f"{card.council} (demo)")
        council = organisations.get(council_name) or accounts.create_organisation(
            council_name, kind=Organisation.Kind.COUNCIL, acting_user=acting_user
        )
        actions.import_rate_card(card, council=council, acting_user=acting_user)
    _load_market(organisations, geo, acting_user)
    from homecare.commissioning.models import Provider
    from homecare.delivery.demo import load_delivery  # logs need the placed packages

    load_delivery(
        organisations[COUNCIL],
        [Provider.objects.get(name=name) for name in (PROVIDER_A, PROVIDER_B)],
        acting_user=acting_user,
    )
    from homecare.insight.demo import load_complaints  # complaints name placed providers

    load_complaints(organisations[COUNCIL], acting_user=acting_user)
    return DemoSummary(PERSONAS, len(geo.zones), len(geo.areas), names)


FRAMEWORK = "Leicestershire home care framework (demo)"


def _load_market(organisations: dict[str, Organisation], geo: Any, acting_user: Any) -> None:
    """A prime-cascade framework with a lot per zone; provider A is the prime wherever a zone
    has primes, provider B supplementary; in the Rural Free Zone both are supplementary."""
    from datetime import date
    from decimal import Decimal

    from homecare.commissioning import market_actions

    framework = market_actions.create_framework(
        council=organisations[COUNCIL],
        name=FRAMEWORK,
        policy_kind="prime_cascade",
        policy_settings={},
        start_date=date(2026, 4, 6),
        term="3+1+1",
        lots=[{"code": z.code, "name": z.name, "zones": [z.code]} for z in geo.zones],
        acting_user=acting_user,
    )
    providers = {
        name: market_actions.create_provider(
            name,
            cqc_location_id=cqc,
            cqc_rating="good",
            quality_score=score,
            acting_user=acting_user,
        )
        for name, cqc, score in ((PROVIDER_A, "1-900000001", 84), (PROVIDER_B, "1-900000002", 78))
    }
    lots = {lot.code: lot for lot in framework.lots.all()}
    for zone in geo.zones:
        for rank, (name, rate) in enumerate(
            ((PROVIDER_A, Decimal("19.80")), (PROVIDER_B, Decimal("20.40"))), start=1
        ):
            prime = zone.has_prime and name == PROVIDER_A
            market_actions.appoint_provider(
                framework=framework,
                lot=lots[zone.code],
                provider=providers[name],
                tier="prime" if prime else "supplementary",
                rank=1 if zone.has_prime else rank,
                hourly_rate=rate,
                acting_user=acting_user,
            )
    from homecare.brokerage.demo import load_market  # the packages need this framework

    load_market(framework, acting_user=acting_user)
