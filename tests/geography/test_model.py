"""Bands, schemes, zones and geographies check themselves."""

from __future__ import annotations

import pytest

from carecore.errors import InputError
from carecore.geography import Area, Band, BandScheme, Geography, Zone


def _scheme() -> BandScheme:
    return BandScheme("Leeds", (Band("OUTER", "Outer", 1), Band("INNER", "Inner", 0)))


def test_a_scheme_orders_its_bands_by_rank():
    assert _scheme().codes == ("INNER", "OUTER")


def test_a_scheme_rejects_a_repeated_band_code():
    with pytest.raises(InputError, match="repeats a band code"):
        BandScheme("x", (Band("A", "A", 0), Band("A", "B", 1)))


def test_a_scheme_rejects_ranks_with_a_gap():
    with pytest.raises(InputError, match=r"ranks must be 0\.\.1"):
        BandScheme("x", (Band("A", "A", 0), Band("B", "B", 2)))


def test_a_zone_of_an_unknown_kind_is_refused_naming_the_kinds():
    with pytest.raises(InputError, match="rural_free"):
        Zone("z", "Z", "huge", ("T",))


def test_an_area_with_a_latitude_out_of_range_is_refused():
    with pytest.raises(InputError, match="latitude"):
        Area("A", "A", 91.0, 0.0, 1, "D")


def _geo() -> Geography:
    areas = (Area("A1", "One", 53.8, -1.5, 10, "Leeds"), Area("A2", "Two", 53.9, -1.6, 5, "Leeds"))
    return Geography(
        scheme=_scheme(),
        zones=(Zone("c", "City", "large", ("Leeds",)), Zone("o", "Out", "small_rural", ("Otley",))),
        areas=areas,
        zone_of={"A1": "c", "A2": "o"},
        band_of={"A1": "INNER", "A2": "OUTER"},
    )


def test_geography_answers_zone_and_band_of_an_area():
    geo = _geo()
    assert geo.zone_of_area("A2").name == "Out"
    assert geo.band_of_area("A1").name == "Inner"
    assert [a.code for a in geo.areas_in_zone("c")] == ["A1"]
    assert [a.code for a in geo.areas_in_band("OUTER")] == ["A2"]


def test_geography_refuses_an_area_without_a_known_zone():
    with pytest.raises(InputError, match="A2 has no known zone"):
        Geography(
            scheme=_scheme(),
            zones=(Zone("c", "City", "large", ("Leeds",)),),
            areas=(Area("A1", "One", 53.8, -1.5, 1, "L"), Area("A2", "Two", 53.9, -1.6, 1, "L")),
            zone_of={"A1": "c", "A2": "nowhere"},
            band_of={"A1": "INNER", "A2": "INNER"},
        )


def test_geography_mappings_cannot_be_changed_after_the_fact():
    geo = _geo()
    with pytest.raises(TypeError):
        geo.zone_of["A1"] = "o"  # type: ignore[index]


def test_asking_for_an_unknown_zone_names_it():
    with pytest.raises(InputError, match="no zone 'x'"):
        _geo().zone("x")
