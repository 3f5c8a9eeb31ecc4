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
from datetime import date
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
from homecare.upload_limits import bid_limits

if TYPE_CHECKING:
    from carecore.errors import InputError
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
def import_geography(geo: Geography, *, council: Organisation, acting_user: Any) -> GeographyImport:
    """Store ``council``'s geography: its bands, its zones in order, and every area.

    Rows are matched by code (zones within the council, areas by their ONS code) and updated
    in place; the council's areas no longer in ``geo`` are removed, as are its zones left with
    no areas that ``geo`` does not name, and bands of another scheme no area uses. Another
    council's zones and areas are never changed: an area of ``geo`` that another council
    holds is refused with an :class:`~carecore.errors.InputError` naming it. ``acting_user``
    is kept for symmetry with the other actions (zones and areas carry no per-row history).
    """
    from carecore.errors import InputError

    del acting_user  # geography rows are reference data; their history is the source file
    taken = (
        Area.objects.filter(code__in=[area.code for area in geo.areas])
        .exclude(zone__council=council)
        .values_list("code", flat=True)
        .first()
    )
    if taken is not None:
        raise InputError(f"area {taken} belongs to another council", key="area_code")
    scheme = geo.scheme.name
    bands_written = sum(
        _upsert(PricingBand, {"scheme": scheme, "code": b.code}, {"name": b.name, "rank": b.rank})
        for b in geo.scheme.bands
    )
    zones_written = sum(
        _upsert(
            Zone,
            {"council": council, "code": z.code},
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
    zones = {z.code: z for z in Zone.objects.filter(council=council)}
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
    removed, _ = Area.objects.filter(zone__council=council).exclude(code__in=codes).delete()
    Zone.objects.filter(council=council, areas=None).exclude(
        code__in=[z.code for z in geo.zones]
    ).delete()
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
    bids = load_bids(
        io.BytesIO(bids_content),
        source=bids_file_name,
        max_score=rules.max_score,
        limits=bid_limits(),  # HOMECARE_BIDS_MAX_ROWS: the request evaluates every row
    )
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


# --- uplifting a rate card ----------------------------------------------------------------
# A commissioner makes next year's rates from a card's latest ones: every band uplifted by one
# percentage, or a new rate typed for each band. The rule for a percentage, stated on the
# page: new rate = old rate x (100 + percent) / 100, rounded to the nearest penny, a half
# penny rounded up (ROUND_HALF_UP), band by band.

PENNY = Decimal("0.01")
MAX_UPLIFT_PERCENT = Decimal(100)
MAX_RATE = Decimal("1000000")
UPLIFT_RULE = "rounded to the nearest penny, a half penny rounded up"


def uplifted_rate(rate: Decimal, percent: Decimal) -> Decimal:
    """``rate`` pounds raised by ``percent``, rounded to the penny (halves up)."""
    from decimal import ROUND_HALF_UP

    return (rate * (Decimal(100) + percent) / Decimal(100)).quantize(PENNY, ROUND_HALF_UP)


def latest_period(card: RateCard) -> RatePeriod:
    """The card's latest period (by start): the rates an uplift starts from."""
    period = card.periods.order_by("-effective_from").prefetch_related("rates").first()
    if period is None:
        raise ValueError(f"rate card {card.name} has no periods")
    return period


def _card_slug(name: str) -> str:
    from django.utils.text import slugify

    return slugify(name)[:100].strip("-")


def uplift_problems(
    card: RateCard,
    *,
    name: str | None,
    effective_from: date | None,
    percent: Decimal | None = None,
    new_rates: dict[str, Decimal] | None = None,
) -> list[InputError]:
    """Everything wrong with an uplift of ``card``, each an InputError whose key names the
    field (``name``, ``effective_from``, ``percent``, ``rates.<BAND>``); empty when it may
    be saved. The page shows them all at once; the action raises the first."""
    from carecore.errors import InputError

    problems: list[InputError] = []
    base = latest_period(card)
    if name is not None:
        slug = _card_slug(name)
        if not name.strip():
            problems.append(InputError("Enter a name for the new card", key="name"))
        elif not slug:
            problems.append(
                InputError("The name of the new card must contain letters or digits", key="name")
            )
        elif RateCard.objects.filter(name=slug).exists():
            problems.append(
                InputError(
                    "A rate card with this name already exists: choose another name", key="name"
                )
            )
    if effective_from is None:
        problems.append(InputError("Enter the date the new rates start", key="effective_from"))
    elif effective_from <= base.effective_from:
        problems.append(
            InputError(
                f"The new rates must start after {base.effective_from:%-d %B %Y}, when the "
                "card's latest rates started",
                key="effective_from",
            )
        )
    if (percent is None) == (new_rates is None):
        problems.append(
            InputError("Give either a percentage or a new rate for each band", key="percent")
        )
    elif percent is not None:
        if not Decimal(0) < percent <= MAX_UPLIFT_PERCENT:
            problems.append(
                InputError("The uplift must be more than 0% and at most 100%", key="percent")
            )
        elif percent != percent.quantize(PENNY):
            problems.append(
                InputError(
                    "The uplift can have at most two decimal places, like 3.25", key="percent"
                )
            )
    else:
        for rate in base.rates.all():
            value = (new_rates or {}).get(rate.band)
            key = f"rates.{rate.band}"
            band = rate.band.title()
            if value is None:
                problems.append(InputError(f"Enter the new {band} rate", key=key))
            elif not Decimal(0) < value < MAX_RATE:
                problems.append(
                    InputError(
                        f"The new {band} rate must be more than £0 and below £1,000,000", key=key
                    )
                )
            elif value != value.quantize(PENNY):
                problems.append(
                    InputError(
                        f"The new {band} rate must be in pounds and pence, like 21.35", key=key
                    )
                )
    return problems


def uplift_preview(
    card: RateCard, *, percent: Decimal | None = None, new_rates: dict[str, Decimal] | None = None
) -> list[tuple[str, Decimal, Decimal]]:
    """(band, rate now, new rate) for each band of the card's latest period, in card order."""
    rows = []
    for rate in latest_period(card).rates.all():
        if percent is not None:
            new = uplifted_rate(rate.hourly_rate, percent)
        else:
            new = (new_rates or {})[rate.band].quantize(PENNY)
        rows.append((rate.band, rate.hourly_rate, new))
    return rows


@transaction.atomic
def uplift_rate_card(
    card: RateCard,
    *,
    name: str | None,
    effective_from: date,
    percent: Decimal | None = None,
    new_rates: dict[str, Decimal] | None = None,
    illustrative: bool,
    notes: str = "",
    acting_user: Any,
) -> RateCard:
    """New rates from ``card``'s latest period, starting ``effective_from``: every band raised
    by ``percent`` (see :func:`uplifted_rate`) or set to ``new_rates`` (band: pounds).

    With ``name`` (plain words) a new card of the same council is made holding one open-ended
    period; with ``name`` None the rates become a new period of ``card`` itself, and the
    period before ends the day before. Minimum time, billing increment and enhancements are
    copied from the latest period. Raises the first of :func:`uplift_problems`.
    """
    from datetime import timedelta

    problems = uplift_problems(
        card, name=name, effective_from=effective_from, percent=percent, new_rates=new_rates
    )
    if problems:
        raise problems[0]
    base = latest_period(card)
    rows = uplift_preview(card, percent=percent, new_rates=new_rates)
    how = (
        f"a {percent.normalize():f}% uplift ({UPLIFT_RULE})"
        if percent is not None
        else "a new rate per band"
    )
    words = f"{card.label}'s rates from {base.effective_from:%-d %B %Y}"
    if name is not None:
        target = RateCard(
            name=_card_slug(name),
            title=name.strip(),
            council=card.council,
            illustrative=illustrative,
            source=f"Made from {words} with {how}, starting {effective_from:%-d %B %Y}.",
            notes=notes.strip(),
        )
        audited(target, acting_user).save()
        effective_to = None
    else:
        target = card
        target.illustrative = card.illustrative or illustrative
        if notes.strip():
            target.notes = notes.strip()
        audited(target, acting_user).save()
        effective_to = (
            base.effective_to if base.effective_to and base.effective_to >= effective_from else None
        )
        if base.effective_to is None or base.effective_to >= effective_from:
            base.effective_to = effective_from - timedelta(days=1)
            audited(base, acting_user).save()
    period = audited(
        RatePeriod(
            card=target,
            effective_from=effective_from,
            effective_to=effective_to,
            minimum_billable_minutes=base.minimum_billable_minutes,
            billing_increment_minutes=base.billing_increment_minutes,
            increment_rounding=base.increment_rounding,
            double_handed_percent=base.double_handed_percent,
            weekend_percent=base.weekend_percent,
            bank_holiday_percent=base.bank_holiday_percent,
            weekend_and_bank_holiday=base.weekend_and_bank_holiday,
            extra_holidays=list(base.extra_holidays),
        ),
        acting_user,
    )
    period.save()
    for position, (band, _old, new) in enumerate(rows):
        audited(
            BandRate(period=period, band=band, hourly_rate=new, position=position), acting_user
        ).save()
    return target
