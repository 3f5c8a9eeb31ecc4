"""Every write to the market: frameworks, providers, appointments, capacity, applications.

Named verb_noun, each in a transaction, each taking ``acting_user`` for the audit history
(``None`` is the system itself: imports and the demo). The one read the allocation policies
see, ``market_snapshot``, is in :mod:`homecare.commissioning.snapshot`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from homecare.accounts import actions as accounts
from homecare.accounts.models import Organisation, audited
from homecare.commissioning.market_models import (
    Appointment,
    AppointmentBandRate,
    CapacityDeclaration,
    Framework,
    FrameworkApplication,
    Lot,
    Provider,
    ProviderStanding,
    Tier,
    parse_term,
)
from homecare.commissioning.models import TenderEvaluation, Zone


def _checked(instance: Any, acting_user: Any, exclude: list[str] | None = None) -> Any:
    """Validate the row (field validators, choices) and save it with its author."""
    instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    audited(instance, acting_user).save()
    return instance


def check_policy(kind: str, settings: dict[str, Any]) -> None:
    """The policy settings must load in the engine; its InputError names the bad key."""
    from carecore.brokerage import load_policy

    if kind not in Framework.PolicyKind.values:
        raise ValidationError({"policy_kind": f"unknown policy {kind!r}"})
    load_policy({**settings, "kind": kind})


@transaction.atomic
def create_framework(
    *,
    council: Organisation,
    name: str,
    policy_kind: str,
    policy_settings: dict[str, Any] | None = None,
    start_date: date,
    term: str = "3+1+1",
    open_to_new_providers: bool = False,
    lots: list[dict[str, Any]] | None = None,
    acting_user: Any,
) -> Framework:
    """A framework with its lots (``{"code", "name", "kind", "zones": [zone codes]}``).

    The policy settings are checked by the engine before anything is saved. Running it again
    with the same council and name updates the framework and its lots in place.
    """
    if council.kind != Organisation.Kind.COUNCIL:
        raise ValidationError({"council": f"{council} is not a council"})
    settings = dict(policy_settings or {})
    check_policy(policy_kind, settings)
    parse_term(term)
    framework = Framework.objects.filter(council=council, name=name).first() or Framework(
        council=council, name=name
    )
    values = {
        "policy_kind": policy_kind,
        "policy_settings": settings,
        "start_date": start_date,
        "term": term,
        "open_to_new_providers": open_to_new_providers,
    }
    if framework.pk is None or any(getattr(framework, k) != v for k, v in values.items()):
        for key, value in values.items():
            setattr(framework, key, value)
        _checked(framework, acting_user)  # unchanged: no save, no history row
    zones = {zone.code: zone for zone in Zone.objects.filter(council=council)}
    for spec in lots or []:
        unknown = [code for code in spec.get("zones", []) if code not in zones]
        if unknown:
            raise ValidationError({"zones": f"unknown zone {unknown[0]!r} in lot {spec['code']}"})
        lot, _ = Lot.objects.update_or_create(
            framework=framework,
            code=spec["code"],
            defaults={
                "name": spec.get("name", spec["code"]),
                "kind": spec.get("kind", "geographic"),
            },
        )
        lot.full_clean(validate_unique=False, validate_constraints=False)
        lot.zones.set([zones[code] for code in spec.get("zones", [])])
    return framework


@transaction.atomic
def create_provider(
    name: str,
    *,
    cqc_location_id: str = "",
    cqc_rating: str = Provider.Rating.NOT_YET_RATED,
    quality_score: Decimal | int | str = 0,
    council: Organisation | None = None,
    acting_user: Any,
) -> Provider:
    """The provider called ``name`` with its organisation, created or updated.

    The quality score is ``council``'s (its :class:`ProviderStanding`); with no council it is
    the provider's default, which a council's standing starts from.
    """
    provider = Provider.objects.select_related("organisation").filter(name=name).first()
    if provider is None:
        organisation = accounts.create_organisation(
            name, kind=Organisation.Kind.PROVIDER, acting_user=acting_user
        )
        provider = Provider(name=name, organisation=organisation)
    score = Decimal(str(quality_score))
    default_score = provider.quality_score if council is not None and provider.pk else score
    changed = provider.pk is None or (
        provider.cqc_location_id,
        provider.cqc_rating,
        provider.quality_score,
    ) != (cqc_location_id, cqc_rating, default_score)
    if changed:
        provider.cqc_location_id, provider.cqc_rating = cqc_location_id, cqc_rating
        provider.quality_score = default_score
        _checked(provider, acting_user)
    if council is not None:
        set_quality_score(provider, score, council=council, acting_user=acting_user)
    return provider


def standing_of(provider: Provider, council: Organisation) -> ProviderStanding:
    """``council``'s standing of ``provider``: its stored row, else one (unsaved) that starts
    from the provider's defaults."""
    found = ProviderStanding.objects.filter(council=council, provider=provider).first()
    return found or ProviderStanding(
        council=council,
        provider=provider,
        status=provider.status,
        status_reason=provider.status_reason,
        quality_score=provider.quality_score,
    )


def council_standings(council_id: int, provider_ids: Any) -> dict[int, tuple[Decimal, str]]:
    """Provider id -> (quality score, status) as the council stands them, in two queries:
    the council's standing, else the provider's defaults. What the allocation policies read
    (``market_snapshot``) for the council's framework."""
    found = {
        provider_id: (score, status)
        for provider_id, score, status in ProviderStanding.objects.filter(
            council_id=council_id, provider_id__in=provider_ids
        ).values_list("provider_id", "quality_score", "status")
    }
    for provider_id, score, status in Provider.objects.filter(
        pk__in=[pk for pk in provider_ids if pk not in found]
    ).values_list("pk", "quality_score", "status"):
        found[provider_id] = (score, status)
    return found


def _council(council: Organisation) -> Organisation:
    if council is None or council.kind != Organisation.Kind.COUNCIL:
        raise ValidationError({"council": "a provider's standing is set by a council"})
    return council


@transaction.atomic
def set_quality_score(
    provider: Provider,
    quality_score: Decimal | int | str,
    *,
    council: Organisation,
    acting_user: Any,
) -> ProviderStanding:
    """``council``'s quality score for ``provider`` (0 to 100); other councils' are untouched."""
    standing = standing_of(provider, _council(council))
    score = Decimal(str(quality_score))
    if standing.pk is None or standing.quality_score != score:
        standing.quality_score = score
        _checked(standing, acting_user)
    return standing


@transaction.atomic
def appoint_provider(
    *,
    framework: Framework,
    lot: Lot,
    provider: Provider,
    tier: str,
    rank: int = 1,
    hourly_rate: Decimal | None = None,
    band_rates: dict[str, Decimal] | None = None,
    block_hours_per_week: Decimal | int = 0,
    cohorts: list[str] | None = None,
    acting_user: Any,
) -> Appointment:
    """Appoint (or re-appoint) ``provider`` to ``lot``; the same call twice changes nothing."""
    if lot.framework_id != framework.pk:
        raise ValidationError({"lot": f"lot {lot.code} is not in {framework}"})
    if tier not in Tier.values:
        raise ValidationError({"tier": f"unknown tier {tier!r}"})
    if hourly_rate is None and not band_rates:
        raise ValidationError({"hourly_rate": "an appointment needs a rate or band rates"})
    appointment = Appointment.objects.filter(lot=lot, provider=provider).first()
    values = {
        "tier": tier,
        "rank": rank,
        "hourly_rate": None if hourly_rate is None else Decimal(str(hourly_rate)),
        "block_hours_per_week": Decimal(str(block_hours_per_week)),
        "cohorts": list(cohorts or []),
        "active": True,
    }
    if appointment is None:
        appointment = Appointment(framework=framework, lot=lot, provider=provider)
        standing = standing_of(provider, framework.council)
        if standing.pk is None:  # the council's standing starts from the provider's defaults
            _checked(standing, acting_user)
    if appointment.pk is None or any(getattr(appointment, k) != v for k, v in values.items()):
        for key, value in values.items():
            setattr(appointment, key, value)
        _checked(appointment, acting_user)
    wanted = {band: Decimal(str(rate)) for band, rate in (band_rates or {}).items()}
    stored = {rate.band: rate for rate in appointment.rates.all()}
    for band, row in stored.items():
        if band not in wanted:
            audited(row, acting_user).delete()
    for band, rate in wanted.items():
        row = stored.get(band)
        if row is None or row.hourly_rate != rate:
            row = row or AppointmentBandRate(appointment=appointment, band=band)
            row.hourly_rate = rate
            audited(row, acting_user).save()
    return appointment


@dataclass(frozen=True)
class AwardsResult:
    """What ``appoint_from_tender_awards`` did: appointments made and providers created."""

    appointments: tuple[Appointment, ...]
    providers_created: tuple[str, ...]


@transaction.atomic
def appoint_from_tender_awards(
    evaluation: TenderEvaluation, framework: Framework, *, acting_user: Any
) -> AwardsResult:
    """Every award of a stored evaluation becomes an appointment, all or none.

    Lots are matched by code (an award for a lot the framework lacks is an error naming it);
    bidders by provider name, created when new. Running it again changes nothing.
    """
    awards = evaluation.result.get("awards", [])
    lots = {lot.code: lot for lot in framework.lots.all()}
    missing = sorted({award["lot"] for award in awards} - set(lots))
    if missing:
        raise ValidationError({"lot": f"the framework has no lot {missing[0]!r}"})
    bidders = {award["bidder"] for award in awards}
    providers = {p.name: p for p in Provider.objects.filter(name__in=bidders)}
    created = [name for name in sorted(bidders) if name not in providers]
    for name in created:
        providers[name] = create_provider(name, acting_user=acting_user)
    appointments = []
    for award in awards:
        provider = providers[award["bidder"]]
        rate = award.get("hourly_rate")
        appointments.append(
            appoint_provider(
                framework=framework,
                lot=lots[award["lot"]],
                provider=provider,
                tier=_engine_tier(award["tier"]),
                rank=int(award["rank"]),
                hourly_rate=None if rate in (None, "") else Decimal(str(rate)),
                band_rates={b: Decimal(str(r)) for b, r in (award.get("band_rates") or {}).items()},
                acting_user=acting_user,
            )
        )
    return AwardsResult(tuple(appointments), tuple(created))


TIER_ALIASES = {
    "lead": Tier.PRIME,
    "primary": Tier.PRIME,
    "secondary": Tier.SUPPLEMENTARY,
    "backup": Tier.BACK_UP,
    "back-up": Tier.BACK_UP,
    "contingency": Tier.SPOT,
}


def _engine_tier(name: str) -> str:
    """A tender's tier name ("prime", "Lead", "back-up") as the platform's tier."""
    key = name.strip().casefold().replace(" ", "_")
    if key in Tier.values:
        return key
    if key in TIER_ALIASES:
        return TIER_ALIASES[key]
    raise ValidationError({"tier": f"a tender tier {name!r} is not one the brokerage knows"})


@transaction.atomic
def declare_capacity(
    *,
    provider: Provider,
    zone: Zone,
    week_starting: date,
    free_hours: Decimal | int | str,
    at: datetime,
    acting_user: Any,
) -> CapacityDeclaration:
    """Record free hours for a week; the latest declaration for the week is the one used."""
    if week_starting.weekday() != 0:
        raise ValidationError({"week_starting": f"{week_starting} is not a Monday"})
    declaration = CapacityDeclaration(
        provider=provider,
        zone=zone,
        week_starting=week_starting,
        free_hours=Decimal(str(free_hours)),
        declared_at=at,
        declared_by=acting_user,
    )
    declaration.full_clean()
    declaration.save()
    return declaration


@transaction.atomic
def apply_to_framework(
    *,
    framework: Framework,
    provider: Provider,
    lots: list[Lot],
    hourly_rate: Decimal | None,
    at: datetime,
    acting_user: Any,
) -> FrameworkApplication:
    """A provider asks to join an open framework in some of its lots."""
    if not framework.open_to_new_providers:
        raise ValidationError({"framework": f"{framework} is not open to new providers"})
    if not lots or any(lot.framework_id != framework.pk for lot in lots):
        raise ValidationError({"lots": "choose at least one lot of this framework"})
    waiting = FrameworkApplication.objects.filter(
        framework=framework, provider=provider, status=FrameworkApplication.Status.APPLIED
    )
    if waiting.select_for_update().exists():
        raise ValidationError(
            {"framework": f"{provider} already has an application to {framework} waiting"}
        )
    application = audited(
        FrameworkApplication(
            framework=framework, provider=provider, hourly_rate=hourly_rate, applied_at=at
        ),
        acting_user,
    )
    application.save()
    application.lots.set(lots)
    return application


def _decide(application: FrameworkApplication, status: str, reason: str, at: datetime, user: Any):
    if application.status != FrameworkApplication.Status.APPLIED:
        raise ValidationError({"status": f"this application is already {application.status}"})
    application.status, application.reason = status, reason
    application.decided_at, application.decided_by = at, user
    audited(application, user).save()


@transaction.atomic
def approve_application(
    application: FrameworkApplication,
    *,
    tier: str = Tier.SUPPLEMENTARY,
    reason: str = "",
    at: datetime,
    acting_user: Any,
) -> list[Appointment]:
    """After the quality checks: appoint the provider in each lot it applied for."""
    application = FrameworkApplication.objects.select_for_update().get(pk=application.pk)
    _decide(application, FrameworkApplication.Status.APPROVED, reason, at, acting_user)
    framework = application.framework
    ranks = {
        lot.pk: lot.appointments.count() + 1 for lot in application.lots.all()
    }  # a new member joins at the back of its lots
    return [
        appoint_provider(
            framework=framework,
            lot=lot,
            provider=application.provider,
            tier=tier,
            rank=ranks[lot.pk],
            hourly_rate=application.hourly_rate,
            acting_user=acting_user,
        )
        for lot in application.lots.all()
    ]


@transaction.atomic
def reject_application(
    application: FrameworkApplication, *, reason: str, at: datetime, acting_user: Any
) -> FrameworkApplication:
    if not reason.strip():
        raise ValidationError({"reason": "say why the application is rejected"})
    application = FrameworkApplication.objects.select_for_update().get(pk=application.pk)
    _decide(application, FrameworkApplication.Status.REJECTED, reason, at, acting_user)
    return application


@transaction.atomic
def set_provider_status(
    provider: Provider,
    status: str,
    *,
    council: Organisation,
    reason: str,
    at: datetime,
    acting_user: Any,
) -> list[Any]:
    """Change ``council``'s status of a provider; an exit ends the provider's appointments to
    the council's frameworks and re-brokers the council's live packages it holds.

    Other councils' standings, appointments and placements of the provider are untouched.
    Returns the new brokerage requests made for the exiting provider's packages (empty for
    any other change). The packages' old placements end with the reason given.
    """
    if status not in Provider.Status.values:
        raise ValidationError({"status": f"unknown status {status!r}"})
    standing = standing_of(provider, _council(council))
    standing.status, standing.status_reason = status, reason
    _checked(standing, acting_user)
    if status != Provider.Status.EXITED:
        return []
    for appointment in Appointment.objects.filter(
        provider=provider, framework__council=council, active=True
    ):
        appointment.active = False
        audited(appointment, acting_user).save()
    from homecare.brokerage.tenancy import rebroker_council_packages

    return rebroker_council_packages(
        provider, council, reason=reason, at=at, acting_user=acting_user
    )


@transaction.atomic
def set_framework_rate_card(
    framework: Framework, card: Any, *, pay_at_card: bool = False, acting_user: Any
) -> Framework:
    """Name the rate card whose minimum time, increments and enhancements apply to the
    framework's placements (and, with ``pay_at_card``, whose band rate in force on each day
    is paid instead of a tendered rate); None takes the card away. The card must be the
    framework's council's own."""
    if card is not None and card.council_id != framework.council_id:
        raise ValidationError({"rate_card": "choose one of your council's own rate cards"})
    if card is None and pay_at_card:
        raise ValidationError({"pay_at_card": "choose the card whose rates are paid"})
    if (
        framework.rate_card_id != (card.pk if card else None)
        or framework.pay_at_card != pay_at_card
    ):
        framework.rate_card, framework.pay_at_card = card, pay_at_card
        audited(framework, acting_user).save()
    return framework
