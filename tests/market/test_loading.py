"""Scenarios load from TOML and mappings; every bad key or value is an error naming the key."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from carecore.errors import InputError
from carecore.geography import default_geography
from carecore.market import DELIVERY_MODELS, Scenario, load_scenario, shipped_scenarios

Table = Callable[[], dict[str, Any]]


def test_the_default_is_leicestershire_on_the_real_zones_bands_and_2020_21_rates(
    leicestershire: Scenario,
) -> None:
    geo = default_geography()
    assert [z.code for z in leicestershire.zones] == [z.code for z in geo.zones]
    assert len(leicestershire.zones) == 14
    assert {a.code for a in leicestershire.areas} == {a.code for a in geo.areas}
    rural_free = [z for z in leicestershire.zones if not z.has_prime]
    assert [z.code for z in rural_free] == ["harborough-rural-free"]
    assert dict(leicestershire.costs.band_rates) == {
        "URBAN": Decimal("18.75"),
        "FRINGE": Decimal("19.95"),
        "RURAL": Decimal("22.95"),
        "ISOLATED": Decimal("26.15"),
    }
    assert leicestershire.costs.pence_per_mile == 45
    assert tuple(leicestershire.models) == DELIVERY_MODELS
    assert leicestershire.source == "leicestershire.toml"
    assert shipped_scenarios() == ["leicestershire"]


def test_every_provider_in_the_default_is_marked_synthetic(leicestershire: Scenario) -> None:
    assert all("(synthetic)" in p.name for p in leicestershire.supply.providers)


def test_a_scenario_pickles_for_dask_workers(small: Scenario) -> None:
    assert pickle.loads(pickle.dumps(small)) == small


def test_a_mapping_loads_like_its_file(small: Scenario, table: Table) -> None:
    loaded = load_scenario(table())
    assert loaded.demand == small.demand
    assert loaded.supply == small.supply
    assert loaded.source == "mapping"


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (lambda t: t.update(demnd={}), "demnd"),
        (lambda t: t["demand"].update(growth_rate=0.1), "demand.growth_rate"),
        (
            lambda t: t["demand"].update(hospital_discharge_share=1.5),
            "demand.hospital_discharge_share",
        ),
        (lambda t: t["demand"].update(growth_per_year="fast"), "demand.growth_per_year"),
        (lambda t: t["demand"]["length_of_care"][0].update(share=0.7), "demand.length_of_care"),
        (lambda t: t["demand"]["patterns"][0].update(colour="red"), "demand.patterns[0].colour"),
        (
            lambda t: t["demand"]["patterns"][1].update(times=["08:00", "08:30"]),
            "demand.patterns.two.times",
        ),
        (lambda t: t["demand"]["visit_minutes"].update(half="0.1"), "demand.visit_minutes.half"),
        (lambda t: t["supply"].update(turnover_per_year=-0.1), "supply.turnover_per_year"),
        (
            lambda t: t["supply"]["providers"][0]["zones"].update(nowhere=0.5),
            "supply.providers.P1.zones.nowhere",
        ),
        (lambda t: t["supply"]["providers"][0].update(role="boss"), "supply.providers.P1.role"),
        (lambda t: t["brokerage"].update(office_closes=7), "brokerage.office_closes"),
        (
            lambda t: t["costs"]["miles_per_contact_hour"].pop("RURAL"),
            "costs.miles_per_contact_hour.RURAL",
        ),
        (lambda t: t["costs"]["band_rates"].update(URBAN="18.755"), "costs.band_rates.URBAN"),
        (lambda t: t.pop("costs"), "costs"),
        (lambda t: t["models"]["prime"]["policy"].update(batch=2), "models.prime.policy.batch"),
        (lambda t: t["models"]["prime"].update(colour="red"), "models.prime.colour"),
        (lambda t: t["scenario"].update(start_date="2021-03-02"), "scenario.start_date"),
        (lambda t: t["geography"].update(rural_bands=["MOUNTAIN"]), "geography.rural_bands"),
        (lambda t: t["geography"]["areas"][0].update(band="MOUNTAIN"), "geography.areas.T1.band"),
        (lambda t: t.update(exits=[{"provider": "ZZ", "week": 3}]), "exits[0].provider"),
        (lambda t: t.update(exits=[{"provider": "P1", "when": 3}]), "exits[0].when"),
        (
            lambda t: t.update(exits=[{"provider": "P1", "week": 3, "staff_moving": 2}]),
            "exits[0].staff_moving",
        ),
    ],
)
def test_a_bad_scenario_names_the_key(
    table: Table, change: Callable[[dict[str, Any]], object], key: str
) -> None:
    data = table()
    change(data)
    with pytest.raises(InputError) as caught:
        load_scenario(data)
    assert caught.value.key == key


def test_an_error_in_a_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text('base = "leicestershire"\n[demand]\ngrowth_rate = 0.05\n')
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    assert str(caught.value).startswith(f"{path}, 'demand.growth_rate': unknown key (expected")
    assert caught.value.source == str(path)


def test_a_file_can_change_a_shipped_scenario_key_by_key(
    tmp_path: Path, leicestershire: Scenario
) -> None:
    path = tmp_path / "faster_growth.toml"
    path.write_text(
        'base = "leicestershire"\n[demand]\ngrowth_per_year = 0.05\n[scenario]\nseed = 3\n'
    )
    changed = load_scenario(path)
    assert changed.demand.growth_per_year == 0.05
    assert changed.seed == 3
    assert changed.demand.patterns == leicestershire.demand.patterns
    assert changed.supply == leicestershire.supply


def test_an_unknown_base_is_named(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    path.write_text('base = "atlantis"\n')
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    assert caught.value.key == "base"
    assert "leicestershire" in caught.value.message


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        load_scenario(tmp_path / "absent.toml")


def test_rates_come_from_a_rate_card_with_given_rates_winning(table: Table) -> None:
    data = table()
    data["costs"]["band_rates"] = {"RURAL": "24.00"}
    data["costs"]["rate_card"] = "leicestershire-2020-21"
    loaded = load_scenario(data)
    assert loaded.costs.band_rates["URBAN"] == Decimal("18.75")
    assert loaded.costs.band_rates["RURAL"] == Decimal("24.00")
    assert "leicestershire-2020-21" in loaded.costs.rate_source


def test_a_rate_card_without_rates_on_the_date_is_named(table: Table) -> None:
    data = table()
    data["costs"]["rate_card"] = "leicestershire-2020-21"
    data["costs"]["rate_card_date"] = "2030-01-01"
    with pytest.raises(InputError) as caught:
        load_scenario(data)
    assert caught.value.key == "costs.rate_card_date"


def test_an_unknown_model_is_named(small: Scenario) -> None:
    with pytest.raises(InputError) as caught:
        small.model("monopoly")
    assert caught.value.key == "model"
    assert "prime, open, lead-block, dps" in caught.value.message
