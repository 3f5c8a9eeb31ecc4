"""Zones definitions load from TOML; mistakes name the file and the key."""

from __future__ import annotations

from collections import Counter

import pytest

from carecore.errors import InputError
from carecore.geography import load_zones_definition
from carecore.geography.default import default_definition_path

LEEDS = """
name = "Leeds City Council"

[scheme]
name = "Leeds bands"
bands = [{ code = "INNER", name = "Inner" }, { code = "OUTER", name = "Outer" }]

[scheme.from_remoteness]
urban = "INNER"
fringe = "INNER"
rural = "OUTER"
isolated = "OUTER"

[[zones]]
code = "city"
name = "City"
kind = "large"
towns = ["Leeds"]
"""


def _write(tmp_path, text, name="zones.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_definition_has_leicestershires_fourteen_zones():
    definition = load_zones_definition(default_definition_path())
    kinds = Counter(z.kind for z in definition.zones)
    assert kinds == {"large": 6, "medium": 3, "small_town": 3, "small_rural": 1, "rural_free": 1}
    assert definition.scheme.codes == ("URBAN", "FRINGE", "RURAL", "ISOLATED")
    assert [z.name for z in definition.scheme.bands] == ["Urban", "Fringe", "Rural", "Isolated"]


def test_only_the_rural_free_zone_has_no_prime_provider():
    definition = load_zones_definition(default_definition_path())
    without = [z.code for z in definition.zones if not z.has_prime]
    assert without == ["harborough-rural-free"]
    assert definition.rural_free_districts["harborough-rural-free"] == ("Harborough",)


def test_the_shipped_definition_names_44_zone_towns_once_each():
    definition = load_zones_definition(default_definition_path())
    towns = [t for z in definition.zones for t in z.towns]
    assert len(towns) == len(set(towns)) == 44  # the 43 GeoNames towns and Ellistown
    assert definition.towns["Ellistown"].is_fixed


def test_a_two_band_scheme_maps_the_four_classes_onto_its_bands(tmp_path):
    definition = load_zones_definition(_write(tmp_path, LEEDS))
    assert dict(definition.band_for) == {
        "urban": "INNER",
        "fringe": "INNER",
        "rural": "OUTER",
        "isolated": "OUTER",
    }


def test_a_two_band_scheme_without_a_mapping_is_refused(tmp_path):
    text = LEEDS.split("[scheme.from_remoteness]")[0] + LEEDS.split('isolated = "OUTER"')[1]
    with pytest.raises(InputError, match="say which band") as err:
        load_zones_definition(_write(tmp_path, text))
    assert err.value.key == "scheme.from_remoteness"


def test_a_mapping_that_makes_remote_places_cheaper_is_refused(tmp_path):
    text = LEEDS.replace('rural = "OUTER"', 'rural = "INNER"').replace(
        'fringe = "INNER"', 'fringe = "OUTER"'
    )
    with pytest.raises(InputError, match="must not get a cheaper band"):
        load_zones_definition(_write(tmp_path, text))


def test_an_unknown_key_names_its_table_and_the_file(tmp_path):
    path = _write(tmp_path, LEEDS.replace('kind = "large"', 'kind = "large"\ncolour = "red"'))
    with pytest.raises(InputError) as err:
        load_zones_definition(path)
    assert err.value.key == "zones[0].colour"
    assert str(path) in str(err.value)


def test_a_rule_threshold_of_the_wrong_type_names_the_key(tmp_path):
    path = _write(tmp_path, LEEDS + '\n[rule]\nurban_km = "near"\n')
    with pytest.raises(InputError, match="expected a number") as err:
        load_zones_definition(path)
    assert err.value.key == "rule.urban_km"


def test_fringe_closer_than_urban_is_refused(tmp_path):
    path = _write(tmp_path, LEEDS + "\n[rule]\nurban_km = 2.0\nfringe_km = 1.0\n")
    with pytest.raises(InputError) as err:
        load_zones_definition(path)
    assert err.value.key == "rule.fringe_km"


def test_a_town_in_two_zones_is_refused(tmp_path):
    text = (
        LEEDS
        + '\n[[zones]]\ncode = "other"\nname = "Other"\nkind = "small_town"\ntowns = ["Leeds"]\n'
    )
    with pytest.raises(InputError, match="'Leeds' is in zones 'city' and 'other'"):
        load_zones_definition(_write(tmp_path, text))


def test_a_zone_with_neither_towns_nor_districts_is_refused(tmp_path):
    text = LEEDS + '\n[[zones]]\ncode = "empty"\nname = "Empty"\nkind = "rural_free"\ntowns = []\n'
    with pytest.raises(InputError, match="no area can be in it"):
        load_zones_definition(_write(tmp_path, text))


def test_a_town_with_coordinates_but_no_population_is_refused(tmp_path):
    text = LEEDS + "\n[towns.Leeds]\nlat = 53.8\nlon = -1.55\n"
    with pytest.raises(InputError) as err:
        load_zones_definition(_write(tmp_path, text))
    assert err.value.key == "towns.Leeds"


def test_bad_toml_syntax_names_the_file(tmp_path):
    path = _write(tmp_path, "name = ")
    with pytest.raises(InputError, match="not valid TOML") as err:
        load_zones_definition(path)
    assert err.value.source == str(path)
