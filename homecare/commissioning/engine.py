"""Turning database rows back into the engine's objects (reads only; writes are in actions).

The engine (``carecore``) holds every rule, so pages rebuild its objects from the rows and ask
it: the zones page builds a ``Geography`` and calls ``zones_summary`` and ``render_svg_map``;
the visit pricer builds a ``RateCard`` and calls ``price_visit``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from homecare.commissioning.models import Area, PricingBand, RateCard, Zone

if TYPE_CHECKING:
    from carecore.geography import Geography
    from carecore.pricing.rate_cards import RateCard as EngineRateCard


class NoGeography(LookupError):
    """The database holds no zones yet (run ``manage.py load_demo`` or import a geography)."""


def geography_from_db(zones: QuerySet[Zone]) -> Geography:
    """The geography of ``zones`` as stored (one council's, or those a scope may see): bands,
    the zones and their areas with their zone and band. Where two councils' zones share a
    code, the first council's (by id) is kept, as the engine's zones are named by code.

    The boundary outline is not stored; when the bands are the engine's default scheme the
    default's outline is used so maps still show the county's edge.
    """
    from carecore.geography import Geography
    from carecore.geography.default import default_definition
    from carecore.geography.model import Area as EngineArea
    from carecore.geography.model import Band, BandScheme
    from carecore.geography.model import Zone as EngineZone

    bands = list(PricingBand.objects.order_by("rank"))
    kept: dict[str, Zone] = {}
    for row in zones.order_by("council_id", "position", "code"):
        kept.setdefault(row.code, row)
    zones_kept = list(kept.values())
    if not bands or not zones_kept:
        raise NoGeography("no zones have been loaded")
    scheme_name = bands[0].scheme
    scheme = BandScheme(
        name=scheme_name,
        bands=tuple(Band(code=b.code, name=b.name, rank=b.rank) for b in bands),
    )
    rows = list(
        Area.objects.filter(zone__in=zones_kept).select_related("zone", "band").order_by("pk")
    )
    default = default_definition()  # cheap: the TOML and the boundary file, no places
    outline = default.outline if default.scheme.name == scheme_name else None
    return Geography(
        scheme=scheme,
        zones=tuple(
            EngineZone(
                code=z.code, name=z.name, kind=z.kind, towns=tuple(z.towns), has_prime=z.has_prime
            )
            for z in zones_kept
        ),
        areas=tuple(
            EngineArea(
                code=a.code,
                name=a.name,
                lat=a.lat,
                lon=a.lon,
                population_65_plus=a.population_65_plus,
                district=a.district,
                ons_rural_urban=a.ons_rural_urban or None,
            )
            for a in rows
        ),
        zone_of={a.code: a.zone.code for a in rows},
        band_of={a.code: a.band.code for a in rows},
        outline=outline,
        source="database",
    )


def _plain(percent: Decimal) -> Decimal:
    """A stored percent without the column's trailing zeros (100.00 -> 100, 12.50 -> 12.5)."""
    if percent == percent.to_integral_value():
        return percent.quantize(Decimal(1))
    return percent.normalize()


def rate_card_from_db(card: RateCard) -> EngineRateCard:
    """The engine's rate card for a stored card, periods and rates in their stored order."""
    from carecore.pricing.rate_cards import Enhancements, RatePeriod
    from carecore.pricing.rate_cards import RateCard as EngineCard

    periods = []
    for period in card.periods.order_by("effective_from").prefetch_related("rates"):
        periods.append(
            RatePeriod(
                effective_from=period.effective_from,
                effective_to=period.effective_to,
                rates={rate.band: rate.hourly_rate for rate in period.rates.all()},
                minimum_billable_minutes=period.minimum_billable_minutes,
                billing_increment_minutes=period.billing_increment_minutes,
                increment_rounding=period.increment_rounding,
                enhancements=Enhancements(
                    double_handed_percent=_plain(period.double_handed_percent),
                    weekend_percent=_plain(period.weekend_percent),
                    bank_holiday_percent=_plain(period.bank_holiday_percent),
                    weekend_and_bank_holiday=period.weekend_and_bank_holiday,
                    extra_holidays=tuple(period.extra_holidays),
                ),
            )
        )
    return EngineCard(
        name=card.name,
        council=card.council.name,
        periods=tuple(periods),
        illustrative=card.illustrative,
        source=card.source,
        notes=card.notes,
    )
