"""Every write to commissioning data: named verb_noun, in a transaction, with the actor.

``acting_user`` is who asked for the change and is recorded in the audit history of rate cards
and their rates; ``None`` means the system itself (the ``load_demo`` command). The imports are
idempotent: importing the same geography or card again changes nothing and writes no history.
"""

from __future__ import annotations

import io
import json
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from homecare.accounts.models import Organisation, audited
from homecare.commissioning.models import (
    Area,
    BandRate,
    PricingBand,
    RateCard,
    RatePeriod,
    TenderEvaluation,
    Zone,
)

if TYPE_CHECKING:
    from carecore.geography import Geography
    from carecore.pricing.rate_cards import RateCard as EngineRateCard

PENNY_EXPONENT = -2


@dataclass(frozen=True)
class GeographyImport:
    """What an import changed: counts of rows created or updated, and areas removed."""

    bands: int
    zones: int
    areas: int
    removed_areas: int

    @property
    def changed(self) -> bool:
        return any((self.bands, self.zones, self.areas, self.removed_areas))


def _upsert(model: Any, lookup: dict[str, Any], values: dict[str, Any]) -> bool:
    """Create or update one row; True when anything was written."""
    row = model.objects.filter(**lookup).first()
    if row is None:
        model.objects.create(**lookup, **values)
        return True
    if all(getattr(row, key) == value for key, value in values.items()):
        return False
    for key, value in values.items():
        setattr(row, key, value)
    row.save()
    return True


@transaction.atomic
def import_geography(geo: Geography, *, acting_user: Any) -> GeographyImport:
    """Store the engine's geography: its bands, zones in order, and every area.

    Rows are matched by code and updated in place; areas no longer in ``geo`` are removed, as
    are zones and bands left with no areas that ``geo`` does not name. ``acting_user`` is kept
    for symmetry with the other actions (zones and areas carry no per-row history).
    """
    del acting_user  # geography rows are reference data; their history is the source file
    scheme = geo.scheme.name
    bands_written = sum(
        _upsert(PricingBand, {"scheme": scheme, "code": b.code}, {"name": b.name, "rank": b.rank})
        for b in geo.scheme.bands
    )
    zones_written = sum(
        _upsert(
            Zone,
            {"code": z.code},
            {
                "name": z.name,
                "kind": z.kind,
                "towns": list(z.towns),
                "has_prime": z.has_prime,
                "position": index,
            },
        )
        for index, z in enumerate(geo.zones)
    )
    bands = {b.code: b for b in PricingBand.objects.filter(scheme=scheme)}
    zones = {z.code: z for z in Zone.objects.all()}
    areas_written = 0
    for area in geo.areas:
        values = {
            "name": area.name,
            "lat": area.lat,
            "lon": area.lon,
            "population_65_plus": area.population_65_plus,
            "district": area.district,
            "ons_rural_urban": area.ons_rural_urban or "",
            "zone": zones[geo.zone_of[area.code]],
            "band": bands[geo.band_of[area.code]],
        }
        areas_written += _upsert(Area, {"code": area.code}, values)
    codes = [area.code for area in geo.areas]
    removed, _ = Area.objects.exclude(code__in=codes).delete()
    Zone.objects.exclude(code__in=[z.code for z in geo.zones]).filter(areas=None).delete()
    PricingBand.objects.exclude(scheme=scheme).filter(areas=None).delete()
    return GeographyImport(bands_written, zones_written, areas_written, removed)


def _check_pennies(card: EngineRateCard) -> None:
    from carecore.errors import InputError

    for index, period in enumerate(card.periods):
        for band, rate in period.rates.items():
            exponent = rate.normalize().as_tuple().exponent
            if isinstance(exponent, int) and exponent < PENNY_EXPONENT:
                raise InputError(
                    f"a rate must be whole pence, got {rate}",
                    key=f"periods[{index}].rates.{band}",
                    source=card.name,
                )
            if rate >= Decimal("1000000"):
                raise InputError(
                    f"a rate must be below £1,000,000, got {rate}",
                    key=f"periods[{index}].rates.{band}",
                    source=card.name,
                )


def _same_card(stored: RateCard, card: EngineRateCard) -> bool:
    from homecare.commissioning.engine import rate_card_from_db

    mine = rate_card_from_db(stored).to_dict()
    theirs = card.to_dict()
    mine.pop("council"), theirs.pop("council")  # the stored council may be named differently
    return mine == theirs


@transaction.atomic
def import_rate_card(card: EngineRateCard, *, council: Organisation, acting_user: Any) -> RateCard:
    """Store the engine's rate card under ``council``: its periods and band rates.

    Importing a card that is already stored unchanged does nothing (no history rows); a changed
    card replaces its periods, and the history keeps the old ones. Rates must be whole pence.
    """
    if council.kind != Organisation.Kind.COUNCIL:
        raise ValueError(f"{council} is not a council")
    _check_pennies(card)
    stored = RateCard.objects.filter(name=card.name).first()
    if stored is not None and stored.council_id == council.pk and _same_card(stored, card):
        return stored
    stored = stored or RateCard(name=card.name)
    stored.council = council
    stored.illustrative, stored.source, stored.notes = card.illustrative, card.source, card.notes
    audited(stored, acting_user).save()
    for old in stored.periods.all():
        for rate in old.rates.all():
            audited(rate, acting_user).delete()
        audited(old, acting_user).delete()
    for period in card.periods:
        enhancements = period.enhancements
        row = audited(
            RatePeriod(
                card=stored,
                effective_from=period.effective_from,
                effective_to=period.effective_to,
                minimum_billable_minutes=period.minimum_billable_minutes,
                billing_increment_minutes=period.billing_increment_minutes,
                increment_rounding=period.increment_rounding,
                double_handed_percent=enhancements.double_handed_percent,
                weekend_percent=enhancements.weekend_percent,
                bank_holiday_percent=enhancements.bank_holiday_percent,
                weekend_and_bank_holiday=enhancements.weekend_and_bank_holiday,
                extra_holidays=list(enhancements.extra_holidays),
            ),
            acting_user,
        )
        row.save()
        for position, (band, rate) in enumerate(period.rates.items()):
            audited(
                BandRate(period=row, band=band, hourly_rate=rate, position=position), acting_user
            ).save()
    return stored


def parse_rules_text(text: str, *, source: str) -> dict[str, Any]:
    """TOML text as a mapping; bad syntax is an InputError naming ``source``."""
    from carecore.errors import InputError

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", source=source) from None


def run_tender_evaluation(
    bids_content: bytes, *, bids_file_name: str, rules_text: str, rules_source: str
) -> tuple[dict[str, Any], bytes]:
    """Evaluate bids against rules with the engine: the result as JSON values and as XLSX.

    Raises InputError naming the file, row and column (or rules key) for any bad input.
    """
    from carecore.procurement import TenderRules, evaluate_tender, load_bids, write_tender_xlsx

    rules = TenderRules.from_mapping(
        parse_rules_text(rules_text, source=rules_source), source=rules_source
    )
    bids = load_bids(io.BytesIO(bids_content), source=bids_file_name, max_score=rules.max_score)
    result = evaluate_tender(bids, rules)
    workbook = io.BytesIO()
    write_tender_xlsx(result, workbook)
    # Decimals become strings ("18.60"), so the page shows exactly what the engine computed.
    as_json = json.loads(json.dumps(result.to_dict(), cls=DjangoJSONEncoder))
    return as_json, workbook.getvalue()


@transaction.atomic
def record_tender_evaluation(
    *,
    council: Organisation,
    bids_content: bytes,
    bids_file_name: str,
    rules_text: str,
    rules_file_name: str = "",
    acting_user: Any,
) -> TenderEvaluation:
    """Evaluate the tender and keep the files, the result and its workbook.

    ``rules_file_name`` is empty when the rules came from the web form (``rules_text`` is then
    the TOML the form's answers amount to). Bad input raises InputError and saves nothing.
    """
    result, workbook = run_tender_evaluation(
        bids_content,
        bids_file_name=bids_file_name,
        rules_text=rules_text,
        rules_source=rules_file_name or "the rules form",
    )
    return TenderEvaluation.objects.create(
        council=council,
        title=str(result.get("title") or ""),
        created_by=acting_user,
        bids_file_name=bids_file_name,
        bids_content=bids_content,
        rules_file_name=rules_file_name,
        rules_text=rules_text,
        result=result,
        result_xlsx=workbook,
    )
