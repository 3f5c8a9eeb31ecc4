"""Parsers of each table of a scenario file into its frozen dataclass; every error names the
dotted key. :mod:`carecore.market.loading` puts them together."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time
from decimal import Decimal
from typing import Any

from carecore.brokerage.policies import load_policy
from carecore.errors import InputError
from carecore.market.checks import (
    flag,
    number,
    per_band,
    pounds,
    share,
    table,
    tables,
    text,
    weights,
    whole,
)
from carecore.market.scenario import (
    AreaDemand,
    Brokerage,
    Costs,
    DeliveryModel,
    Demand,
    LengthComponent,
    ProviderExit,
    ProviderSpec,
    Supply,
    Surge,
    VisitPattern,
    ZoneSpec,
)
from carecore.params import check_keys, toml_date
from carecore.units import to_decimal

GEOGRAPHY_KEYS = ("source", "rural_bands", "zones", "areas")
DEMAND_SCALARS = {
    "packages_per_week_per_1000_65_plus": float,
    "growth_per_year": float,
    "seasonality_amplitude": float,
    "seasonality_peak_week": float,
    "hospital_discharge_share": float,
    "double_handed_share": float,
    "jitter_minutes": int,
    "window_minutes": int,
    "review_after_weeks": float,
    "review_shrink_share": float,
    "review_keep": float,
}
DEMAND_KEYS = (
    *DEMAND_SCALARS,
    "visit_minutes",
    "end_reasons",
    "surges",
    "patterns",
    "length_of_care",
)
SUPPLY_SCALARS = {
    "hours_per_worker": float,
    "turnover_per_year": float,
    "vacancy_rate": float,
    "capacity_margin": float,
    "workforce_growth_per_year": float,
    "principals_per_zone": int,
    "pay_pence_per_paid_hour": float,
    "overhead_pence_per_hour": float,
    "admin_pence_per_package_week": float,
    "awkward_pence_per_hour": float,
    "reference_visit_minutes": float,
    "silence_share": float,
    "noise_pence": float,
}
SUPPLY_KEYS = (*SUPPLY_SCALARS, "awkward_before", "awkward_from", "providers")
PROVIDER_KEYS = (
    "ref", "name", "quality", "role", "zones", "margin_pence", "choosiness_pence",
    "bid_markup_pence", "response_hours",
)  # fmt: skip
BROKERAGE_KEYS = (
    "office_opens",
    "office_closes",
    "weekdays_only",
    "retry_hours",
    "retry_max_hours",
    "spot_after_days",
    "spot_premium",
)
COSTS_KEYS = (
    "rate_card", "rate_card_date", "band_rates", "travel_minutes_per_contact_hour",
    "miles_per_contact_hour", "pence_per_mile", "kg_co2e_per_mile", "emission_factor_source",
)  # fmt: skip
MODEL_KEYS = (
    "description",
    "policy",
    "appoint_principals",
    "block_factor",
    "obligation_pence_per_hour",
)
DAYS = {"daily": tuple(range(7)), "mon-fri": tuple(range(5)), "sat-sun": (5, 6)}


def provider_exit(row: Mapping[str, Any], index: int) -> ProviderExit:
    where = f"exits[{index}]"
    check_keys(row, ("provider", "week", "staff_moving"), where=where)
    return ProviderExit(
        text(need(row, "provider", where), f"{where}.provider"),
        number(need(row, "week", where), f"{where}.week", low=0.0),
        share(row.get("staff_moving", 0.0), f"{where}.staff_moving"),
    )


def required_table(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    if key not in data:
        raise InputError("missing table", key=key)
    return table(data[key], key)


def need(row: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in row:
        raise InputError("missing", key=f"{where}.{key}")
    return row[key]


def _clock(value: object, key: str) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        try:
            return time.fromisoformat(value)
        except ValueError:
            pass
    raise InputError(f"expected a time like 07:30, got {value!r}", key=key)


def _scalars(given: Mapping[str, Any], kinds: Mapping[str, type], where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, kind in kinds.items():
        if key in given:
            dotted = f"{where}.{key}"
            out[key] = whole(given[key], dotted) if kind is int else number(given[key], dotted)
    return out


# --- sections ------------------------------------------------------------------------------


def geography(
    given: Mapping[str, Any],
) -> tuple[tuple[ZoneSpec, ...], tuple[AreaDemand, ...], tuple[str, ...]]:
    check_keys(given, GEOGRAPHY_KEYS, where="geography")
    source = text(given.get("source", "default"), "geography.source")
    rural = tuple(
        text(b, "geography.rural_bands")
        for b in _list(given.get("rural_bands", []), "geography.rural_bands")
    )
    if source == "default":
        for key in ("zones", "areas"):
            if key in given:
                raise InputError(
                    'give zones and areas only with source = "inline"', key=f"geography.{key}"
                )
        return (*_default_places(), rural)
    if source != "inline":
        raise InputError(f'must be "default" or "inline", got {source!r}', key="geography.source")
    zones = []
    for i, row in enumerate(tables(need(given, "zones", "geography"), "geography.zones")):
        where = f"geography.zones[{i}]"
        check_keys(row, ("code", "name", "has_prime"), where=where)
        code = text(need(row, "code", where), f"{where}.code")
        zones.append(
            ZoneSpec(
                code,
                text(row.get("name", code), f"{where}.name"),
                flag(row.get("has_prime", True), f"{where}.has_prime"),
            )
        )
    areas = []
    for i, row in enumerate(tables(need(given, "areas", "geography"), "geography.areas")):
        where = f"geography.areas[{i}]"
        check_keys(row, ("code", "zone", "band", "population_65_plus"), where=where)
        areas.append(
            AreaDemand(
                text(need(row, "code", where), f"{where}.code"),
                text(need(row, "zone", where), f"{where}.zone"),
                text(need(row, "band", where), f"{where}.band"),
                whole(need(row, "population_65_plus", where), f"{where}.population_65_plus", low=0),
            )
        )
    return tuple(zones), tuple(areas), rural


def _default_places() -> tuple[tuple[ZoneSpec, ...], tuple[AreaDemand, ...]]:
    from carecore.geography import default_geography  # slow (~2 s once): only when asked for

    geo = default_geography()
    zones = tuple(ZoneSpec(z.code, z.name, z.has_prime) for z in geo.zones)
    areas = tuple(
        AreaDemand(a.code, geo.zone_of[a.code], geo.band_of[a.code], a.population_65_plus)
        for a in geo.areas
    )
    return zones, areas


def _list(value: object, key: str) -> list[Any]:
    if not isinstance(value, list):
        raise InputError(f"expected a list, got {value!r}", key=key)
    return value


def demand(given: Mapping[str, Any]) -> Demand:
    check_keys(given, DEMAND_KEYS, where="demand")
    for key in (
        "packages_per_week_per_1000_65_plus",
        "visit_minutes",
        "patterns",
        "length_of_care",
    ):
        need(given, key, "demand")
    minutes = weights(given["visit_minutes"], "demand.visit_minutes")
    visit_minutes = []
    for name, weight in minutes.items():
        if not name.isdigit():
            raise InputError(
                'keys must be whole minutes, e.g. "30"', key=f"demand.visit_minutes.{name}"
            )
        visit_minutes.append((int(name), weight))
    surges = []
    for i, row in enumerate(tables(given.get("surges", []), "demand.surges")):
        where = f"demand.surges[{i}]"
        check_keys(row, ("from_week", "to_week", "factor"), where=where)
        surges.append(
            Surge(
                *(
                    number(need(row, k, where), f"{where}.{k}", low=0.0)
                    for k in ("from_week", "to_week", "factor")
                )
            )
        )
    ends = weights(given.get("end_reasons", {"death": 1.0}), "demand.end_reasons")
    return Demand(
        patterns=tuple(
            _pattern(row, i) for i, row in enumerate(tables(given["patterns"], "demand.patterns"))
        ),
        visit_minutes=tuple(sorted(visit_minutes)),
        length_of_care=tuple(
            _length(row, i)
            for i, row in enumerate(tables(given["length_of_care"], "demand.length_of_care"))
        ),
        surges=tuple(surges),
        end_reasons=tuple(ends.items()),
        **_scalars(given, DEMAND_SCALARS, "demand"),
    )


def _pattern(row: Mapping[str, Any], index: int) -> VisitPattern:
    where = f"demand.patterns[{index}]"
    check_keys(row, ("name", "weight", "times", "days"), where=where)
    name = text(need(row, "name", where), f"{where}.name")
    days_given = row.get("days", "Daily")
    if isinstance(days_given, str):
        if days_given.lower() not in DAYS:
            raise InputError(
                f"expected Daily, Mon-Fri, Sat-Sun or a list of 0-6, got {days_given!r}",
                key=f"{where}.days",
            )
        days = DAYS[days_given.lower()]
    else:
        days = tuple(
            whole(d, f"{where}.days", low=0, high=6) for d in _list(days_given, f"{where}.days")
        )
    times = tuple(
        _clock(t, f"{where}.times") for t in _list(need(row, "times", where), f"{where}.times")
    )
    return VisitPattern(
        name, number(need(row, "weight", where), f"{where}.weight", low=0.0), times, days
    )


def _length(row: Mapping[str, Any], index: int) -> LengthComponent:
    where = f"demand.length_of_care[{index}]"
    check_keys(row, ("name", "share", "mean_weeks"), where=where)
    return LengthComponent(
        text(need(row, "name", where), f"{where}.name"),
        share(need(row, "share", where), f"{where}.share"),
        number(need(row, "mean_weeks", where), f"{where}.mean_weeks", low=0.01),
    )


def supply(given: Mapping[str, Any]) -> Supply:
    check_keys(given, SUPPLY_KEYS, where="supply")
    rows = tables(need(given, "providers", "supply"), "supply.providers")
    extra: dict[str, Any] = {}
    for key in ("awkward_before", "awkward_from"):
        if key in given:
            extra[key] = _clock(given[key], f"supply.{key}")
    return Supply(
        providers=tuple(_provider(row, i) for i, row in enumerate(rows)),
        **extra,
        **_scalars(given, SUPPLY_SCALARS, "supply"),
    )


def _provider(row: Mapping[str, Any], index: int) -> ProviderSpec:
    where = f"supply.providers[{index}]"
    check_keys(row, PROVIDER_KEYS, where=where)
    ref = text(need(row, "ref", where), f"{where}.ref")
    options = {
        key: number(row[key], f"{where}.{key}", low=0.0)
        for key in ("margin_pence", "choosiness_pence", "bid_markup_pence", "response_hours")
        if key in row
    }
    return ProviderSpec(
        ref=ref,
        name=text(row.get("name", ref), f"{where}.name"),
        quality=to_decimal(need(row, "quality", where), key=f"{where}.quality"),
        zones=weights(need(row, "zones", where), f"{where}.zones"),
        role=text(row.get("role", "framework"), f"{where}.role"),
        **options,
    )


def brokerage(given: Mapping[str, Any]) -> Brokerage:
    check_keys(given, BROKERAGE_KEYS, where="brokerage")
    options: dict[str, Any] = {}
    for key in ("office_opens", "office_closes"):
        if key in given:
            options[key] = whole(given[key], f"brokerage.{key}")
    if "weekdays_only" in given:
        options["weekdays_only"] = flag(given["weekdays_only"], "brokerage.weekdays_only")
    for key in ("retry_hours", "retry_max_hours", "spot_after_days", "spot_premium"):
        if key in given:
            options[key] = number(given[key], f"brokerage.{key}", low=0.0)
    return Brokerage(**options)


def costs(given: Mapping[str, Any], start: date) -> Costs:
    check_keys(given, COSTS_KEYS, where="costs")
    rates, rate_source = _band_rates(given, start)
    bands = tuple(rates)
    return Costs(
        band_rates=rates,
        rate_source=rate_source,
        travel_minutes_per_contact_hour=per_band(
            need(given, "travel_minutes_per_contact_hour", "costs"),
            "costs.travel_minutes_per_contact_hour",
            bands,
        ),
        miles_per_contact_hour=per_band(
            need(given, "miles_per_contact_hour", "costs"), "costs.miles_per_contact_hour", bands
        ),
        pence_per_mile=whole(given.get("pence_per_mile", 45), "costs.pence_per_mile", low=0),
        kg_co2e_per_mile=number(
            given.get("kg_co2e_per_mile", 0.28276), "costs.kg_co2e_per_mile", low=0.0
        ),
        emission_factor_source=text(
            given.get("emission_factor_source", ""), "costs.emission_factor_source", blank=True
        ),
    )


def _band_rates(given: Mapping[str, Any], start: date) -> tuple[dict[str, Decimal], str]:
    """Rates from a rate card on ``rate_card_date`` (default: the start), with any
    ``band_rates`` given beside it winning band by band."""
    rates: dict[str, Decimal] = {}
    source = ""
    if "rate_card" in given:
        from carecore.pricing.rate_cards import load_rate_card

        name = text(given["rate_card"], "costs.rate_card")
        try:
            card = load_rate_card(name)
        except InputError as exc:
            raise InputError(exc.message, key="costs.rate_card") from None
        when = toml_date(given.get("rate_card_date", start), "costs.rate_card_date")
        try:
            period = card.rates_on(when, key="costs.rate_card_date")
        except InputError as exc:
            raise InputError(exc.message, key="costs.rate_card_date") from None
        rates.update(period.rates)
        source = f"rate card {card.name} on {when}"
    elif "rate_card_date" in given:
        raise InputError("give rate_card_date only with rate_card", key="costs.rate_card_date")
    own = table(given.get("band_rates", {}), "costs.band_rates")
    for band, value in own.items():
        rates[band] = pounds(value, f"costs.band_rates.{band}")
    if own:
        source = f"{source}; band rates given" if source else "band rates given"
    if not rates:
        raise InputError("give rate_card or band_rates", key="costs.band_rates")
    return rates, source


def models(given: Mapping[str, Any]) -> dict[str, DeliveryModel]:
    models = {}
    for name, row in given.items():
        where = f"models.{name}"
        row = table(row, where)
        check_keys(row, MODEL_KEYS, where=where)
        policy = dict(table(need(row, "policy", where), f"{where}.policy"))
        try:
            load_policy(policy)
        except InputError as exc:
            raise InputError(
                exc.message, key=f"{where}.policy.{exc.key}" if exc.key else f"{where}.policy"
            ) from None
        models[name] = DeliveryModel(
            name=name,
            policy=policy,
            description=text(row.get("description", ""), f"{where}.description", blank=True),
            appoint_principals=flag(
                row.get("appoint_principals", False), f"{where}.appoint_principals"
            ),
            block_factor=number(row.get("block_factor", 0.0), f"{where}.block_factor", low=0.0),
            obligation_pence_per_hour=number(
                row.get("obligation_pence_per_hour", 0.0),
                f"{where}.obligation_pence_per_hour",
                low=0.0,
            ),
        )
    return models
