"""The demo: two councils, invented providers, personas, the default geography, rate cards.

Everything here is synthetic except the first council's name and geography: the providers,
people and the second council (:mod:`homecare.commissioning.second_council_demo`) are made up
and marked "(demo)". Loading is idempotent, so ``load_demo`` can be run
on every start of ``make demo``.

The demo's clock is the ``now`` it is given (``manage.py load_demo`` passes the moment it
runs): the market's history runs up to it, and the council's current rates are made from the
published 2020-21 card by the commissioners' own uplift action (:func:`current_rates`), so a
rate card is in force on the day whenever the demo is loaded. Those rates are illustrative.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from homecare.accounts import actions as accounts
from homecare.accounts.models import Membership, Organisation
from homecare.commissioning import actions

DEMO_PASSWORD = "homecare-demo"
COUNCIL = "Leicestershire County Council (demo)"
PROVIDER_A = "Quillfield Home Support (demo)"
PROVIDER_B = "Wrenlow Care Services (demo)"
# The second, smaller council (homecare.commissioning.second_council_demo) and the provider
# that serves only it; provider A serves both councils.
COUNCIL_2 = "Ferncaster Council (demo)"
PROVIDER_C = "Harrowmere Community Care (demo)"
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
    Persona(
        "ferncaster-commissioner", "Demo", "Commissioner", COUNCIL_2, Membership.Role.COMMISSIONER
    ),
    Persona("ferncaster-broker", "Demo", "Broker", COUNCIL_2, Membership.Role.BROKER),
    Persona("ferncaster-finance", "Demo", "Finance", COUNCIL_2, Membership.Role.FINANCE),
    Persona("provider-c", "Demo", "Provider C", PROVIDER_C, Membership.Role.PROVIDER),
    # Each council's user administrator: invites staff, gives roles, switches accounts off.
    Persona("user-admin", "Demo", "User administrator", COUNCIL, Membership.Role.USER_ADMIN),
    Persona(
        "ferncaster-user-admin", "Demo", "User administrator", COUNCIL_2, Membership.Role.USER_ADMIN
    ),
)


@dataclass(frozen=True)
class DemoSummary:
    personas: tuple[Persona, ...]
    zones: int
    areas: int
    rate_cards: tuple[str, ...]


@transaction.atomic
def load_demo(*, now: datetime | None = None, acting_user: Any = None) -> DemoSummary:
    """Create or refresh the demo organisations, personas, geography, rate cards, market,
    visit logs and complaints, as they stand at ``now`` (``manage.py load_demo`` passes the
    moment it runs; None reads the clock once, here). Nothing in the demo happens after
    ``now``, and a Leicestershire rate card is in force on its day."""
    from carecore.geography import default_geography
    from carecore.pricing.rate_cards import load_rate_card, shipped_rate_cards

    now = now or timezone.now()

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
        COUNCIL_2: accounts.create_organisation(
            COUNCIL_2, kind=Organisation.Kind.COUNCIL, acting_user=acting_user
        ),
        PROVIDER_C: accounts.create_organisation(
            PROVIDER_C, kind=Organisation.Kind.PROVIDER, acting_user=acting_user
        ),
    }
    # Both demo councils' case-management references: "P-" and digits, so a name is refused.
    for council in (COUNCIL, COUNCIL_2):
        accounts.set_person_reference_format(
            organisations[council],
            pattern=r"P-[0-9]+",
            description="P- followed by digits",
            example="P-004512",
            acting_user=acting_user,
        )
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
    from homecare.commissioning import second_council_demo as second

    geo = default_geography()  # the first council's; the second has its own
    geo_2 = second.second_geography(geo)
    actions.import_geography(geo, council=organisations[COUNCIL], acting_user=acting_user)
    actions.import_geography(geo_2, council=organisations[COUNCIL_2], acting_user=acting_user)
    names = tuple(shipped_rate_cards())
    for name in names:
        card = load_rate_card(name)
        council_name = CARD_COUNCILS.get(card.council, f"{card.council} (demo)")
        council = organisations.get(council_name) or accounts.create_organisation(
            council_name, kind=Organisation.Kind.COUNCIL, acting_user=acting_user
        )
        actions.import_rate_card(card, council=council, acting_user=acting_user)
    current = current_rates(organisations[COUNCIL], now=now, acting_user=acting_user)
    names += (current.name,)
    _load_market(organisations, geo, now, acting_user, card=current)
    from homecare.commissioning.models import Provider
    from homecare.delivery.demo import load_delivery  # logs need the placed packages
    from homecare.finance.demo_commitments import load_commitments
    from homecare.finance.demo_ledger import load_ledger
    from homecare.finance.demo_pay import load_pay_returns

    # The fee uplift first, so the runs below price the days after it at the new rates.
    load_commitments(organisations[COUNCIL], now=now, acting_user=acting_user)
    load_delivery(
        organisations[COUNCIL],
        [Provider.objects.get(name=name) for name in (PROVIDER_A, PROVIDER_B)],
        now=now,
        acting_user=acting_user,
    )
    from homecare.finance.demo_queries import load_queries

    load_queries(organisations[COUNCIL], now=now, acting_user=acting_user)
    from homecare.finance.demo_period import load_period_work

    load_period_work(organisations[COUNCIL], now=now, acting_user=acting_user)
    load_ledger(organisations[COUNCIL], now=now, acting_user=acting_user)
    from homecare.finance.demo_documents import load_documents

    load_documents(organisations[COUNCIL], now=now, acting_user=acting_user)
    load_pay_returns(organisations[COUNCIL], now=now, acting_user=acting_user)
    from homecare.insight.demo import load_complaints  # complaints name placed providers

    load_complaints(organisations[COUNCIL], now=now, acting_user=acting_user)
    from homecare.brokerage.package_demo import load_package_changes  # from next week on

    load_package_changes(organisations[COUNCIL], now=now, acting_user=acting_user)
    second.load_second_council(organisations[COUNCIL_2], now=now, acting_user=acting_user)
    names += (second.CARD_2,)
    return DemoSummary(
        PERSONAS, len(geo.zones) + len(geo_2.zones), len(geo.areas) + len(geo_2.areas), names
    )


FRAMEWORK = "Leicestershire home care framework (demo)"


def _load_market(
    organisations: dict[str, Organisation],
    geo: Any,
    now: datetime,
    acting_user: Any,
    *,
    card: Any = None,
) -> None:
    """A prime-cascade framework with a lot per zone; provider A is the prime wherever a zone
    has primes, provider B supplementary; in the Rural Free Zone both are supplementary.

    The framework starts on the first Monday of April before the market's history does, and
    providers are appointed at the Urban rate then in force plus their margin; ``card`` (the
    council's current card) gives its placements their enhancements and minimum time."""
    from homecare.brokerage.demo import history_start
    from homecare.commissioning import market_actions

    start = framework_start(history_start(now).date())
    urban = rate_in_force(organisations[COUNCIL], start, "URBAN") or Decimal("18.75")
    framework = market_actions.create_framework(
        council=organisations[COUNCIL],
        name=FRAMEWORK,
        policy_kind="prime_cascade",
        policy_settings={},
        start_date=start,
        term="3+1+1",
        lots=[{"code": z.code, "name": z.name, "zones": [z.code]} for z in geo.zones],
        acting_user=acting_user,
    )
    if card is not None:  # its enhancements and minimum time reach the demo's invoices
        market_actions.set_framework_rate_card(framework, card, acting_user=acting_user)
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
            ((PROVIDER_A, urban + Decimal("1.05")), (PROVIDER_B, urban + Decimal("1.65"))),
            start=1,
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

    load_market(framework, now=now, urban_rate=urban, acting_user=acting_user)


# The demo's current Leicestershire rates: the published 2020-21 card uplifted, through the
# commissioners' own uplift action, from the new framework's transition (6 November 2021) and
# then every April, by the rise in the National Living Wage that April (years not listed:
# DEFAULT_UPLIFT). Illustrative: the council has not published these figures.
CURRENT_CARD = "Leicestershire home care rates (illustrative uplifts)"
BASE_CARD = "leicestershire-2020-21"
FIRST_UPLIFT = (date(2021, 11, 6), Decimal("2.2"))
APRIL_UPLIFTS = {
    2022: Decimal("6.6"),
    2023: Decimal("9.7"),
    2024: Decimal("9.8"),
    2025: Decimal("6.7"),
    2026: Decimal("4.1"),
}
DEFAULT_UPLIFT = Decimal("3")
CURRENT_NOTES = (
    "These rates are illustrative: the published 2020-21 rates uplifted each year by the rise "
    "in the National Living Wage, made for the demo. The council has not published them."
)


def uplift_steps(today: date) -> list[tuple[date, Decimal]]:
    """(first day, percent) of each uplift up to ``today``, oldest first."""
    steps = [FIRST_UPLIFT] if FIRST_UPLIFT[0] <= today else []
    for year in range(FIRST_UPLIFT[0].year + 1, today.year + 1):
        if date(year, 4, 1) <= today:
            steps.append((date(year, 4, 1), APRIL_UPLIFTS.get(year, DEFAULT_UPLIFT)))
    return steps


def current_rates(council: Organisation, *, now: datetime, acting_user: Any) -> Any:
    """The council's illustrative card in force at ``now``: made from the 2020-21 card by
    :func:`uplift_steps` through ``uplift_rate_card``; steps already made are left alone."""
    from homecare.commissioning.models import RateCard

    today = timezone.localtime(now).date()
    base = RateCard.objects.get(name=BASE_CARD)
    card = RateCard.objects.filter(council=council, title=CURRENT_CARD).first()
    for day, percent in uplift_steps(today):
        if card is None:
            card = actions.uplift_rate_card(
                base,
                name=CURRENT_CARD,
                effective_from=day,
                percent=percent,
                illustrative=True,
                notes=CURRENT_NOTES,
                acting_user=acting_user,
            )
        elif day > actions.latest_period(card).effective_from:
            card = actions.uplift_rate_card(
                card,
                name=None,
                effective_from=day,
                percent=percent,
                illustrative=True,
                acting_user=acting_user,
            )
    return card or base


def rate_in_force(council: Organisation, day: date, band: str) -> Decimal | None:
    """The council's rate for ``band`` on ``day`` (the latest-started period in force)."""
    from django.db.models import Q

    from homecare.commissioning.models import BandRate

    row = (
        BandRate.objects.filter(
            period__card__council=council, band=band, period__effective_from__lte=day
        )
        .filter(Q(period__effective_to__isnull=True) | Q(period__effective_to__gte=day))
        .order_by("-period__effective_from", "-pk")
        .first()
    )
    return row.hourly_rate if row else None


def framework_start(first_request: date) -> date:
    """The first Monday of April on or before ``first_request`` (a financial year's start)."""

    def first_monday_of_april(year: int) -> date:
        april = date(year, 4, 1)
        return april + timedelta(days=(7 - april.weekday()) % 7)

    start = first_monday_of_april(first_request.year)
    return start if start <= first_request else first_monday_of_april(first_request.year - 1)
