"""`homecare zones`: table, JSON, map, and clear errors."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from homecare.cli import app

runner = CliRunner()


def test_zones_prints_a_table_of_the_fourteen_default_zones():
    result = runner.invoke(app, ["zones"])
    assert result.exit_code == 0, result.output
    for name in ("Coalville and Ashby", "Harborough (Rural Free Zone)", "Bottesford"):
        assert name in result.stdout
    assert "102 areas in 14 zones" in result.stdout


def test_zones_json_gives_the_scheme_bands_and_zone_summaries():
    result = runner.invoke(app, ["zones", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["scheme"] == "Leicestershire home care price bands"
    assert [b["code"] for b in payload["bands"]] == ["URBAN", "FRINGE", "RURAL", "ISOLATED"]
    assert sum(b["areas"] for b in payload["bands"]) == payload["areas"] == 102
    assert len(payload["zones"]) == 14
    rfz = payload["zones"][-1]
    assert (rfz["code"], rfz["has_prime"], rfz["towns"]) == ("harborough-rural-free", False, [])
    assert set(rfz["areas_by_band"]) == {"URBAN", "FRINGE", "RURAL", "ISOLATED"}


def test_zones_reads_a_councils_own_area_file(kit):
    result = runner.invoke(
        app, ["zones", "--areas", str(kit.DATA / "small_ons_areas.csv"), "--json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["areas"] == 13
    zones = {z["code"]: z for z in payload["zones"]}
    assert zones["harborough-rural-free"]["areas_by_band"]["ISOLATED"] == 2


def test_zones_map_writes_an_svg_and_says_where(tmp_path):
    target = tmp_path / "zones.svg"
    result = runner.invoke(app, ["zones", "--map", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").startswith("<svg")
    assert f"Map written to {target}" in result.stdout


def test_zones_json_with_a_map_keeps_standard_output_pure_json(tmp_path):
    target = tmp_path / "zones.svg"
    result = runner.invoke(app, ["zones", "--json", "--map", str(target)])
    assert result.exit_code == 0, result.output
    json.loads(result.stdout)
    assert f"Map written to {target}" in result.stderr


def test_a_bad_area_file_is_reported_with_file_row_and_column(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "lsoa21_code,lsoa21_name,ltla24_name,pwc_lat,pwc_lon,pop65_census2021\n"
        "E1,A,Blaby,52.6,-1.1,12\n"
        "E2,B,Blaby,52.6,oops,12\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["zones", "--areas", str(bad)])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {bad}, row 3, 'pwc_lon': expected a number, got 'oops'"
    assert "Traceback" not in result.output


def test_a_missing_area_file_is_reported_without_a_traceback(tmp_path):
    result = runner.invoke(app, ["zones", "--areas", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2
    assert "file not found" in result.stderr


def test_a_councils_own_zones_file_with_an_unknown_key_is_reported(tmp_path):
    zones = tmp_path / "zones.toml"
    zones.write_text('name = "X"\ncolour = "red"\n', encoding="utf-8")
    result = runner.invoke(app, ["zones", "--zones", str(zones)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {zones}, 'colour': unknown key")


def test_a_zones_file_without_an_outline_needs_an_area_file(tmp_path):
    zones = tmp_path / "zones.toml"
    zones.write_text(
        'name = "X"\n[scheme]\nname = "S"\nbands = [{ code = "A", name = "A" }, '
        '{ code = "B", name = "B" }, { code = "C", name = "C" }, { code = "D", name = "D" }]\n'
        '[[zones]]\ncode = "z"\nname = "Z"\nkind = "large"\ntowns = ["Loughborough"]\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["zones", "--zones", str(zones)])
    assert result.exit_code == 2
    assert "'outline': the definition has no outline" in result.stderr
