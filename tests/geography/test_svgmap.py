"""The SVG map: one titled cell per area, accessible, self-contained and deterministic."""

from __future__ import annotations

import dataclasses
import itertools
import re
import xml.etree.ElementTree as ET

import pytest

from carecore.errors import InputError
from carecore.geography import assign_geography, default_geography, render_svg_map
from carecore.geography.svgmap import band_colours

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def geo():
    return default_geography()


@pytest.fixture(scope="module")
def svg(geo):
    return render_svg_map(geo)


def _cells(root):
    return [e for e in root.iter(f"{SVG}path") if "data-area" in e.attrib]


def _luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def test_the_map_has_one_cell_per_area(geo, svg):
    cells = _cells(ET.fromstring(svg))
    assert sorted(c.attrib["data-area"] for c in cells) == sorted(a.code for a in geo.areas)


def test_each_cell_has_a_title_naming_its_area_zone_and_band(geo, svg):
    for cell in _cells(ET.fromstring(svg)):
        area = geo.area(cell.attrib["data-area"])
        title = cell.find(f"{SVG}title")
        assert title is not None
        assert area.name in title.text
        assert f"zone {geo.zone_of_area(area.code).name}" in title.text
        assert f"band {geo.band_of_area(area.code).name}" in title.text
        assert cell.attrib["data-band"] == geo.band_of[area.code]


def test_the_map_is_an_image_labelled_by_its_title_and_description(svg):
    root = ET.fromstring(svg)
    assert root.attrib["role"] == "img"
    title_id, desc_id = root.attrib["aria-labelledby"].split()
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert (title.attrib["id"], desc.attrib["id"]) == (title_id, desc_id)
    assert "102 areas in 14 zones" in desc.text


def test_the_legend_names_every_band_with_its_count(geo, svg):
    texts = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]
    for band in geo.scheme.bands:
        count = len(geo.areas_in_band(band.code))
        assert f"{band.name} ({count} areas)" in texts


def test_every_zone_is_labelled_on_the_map(geo, svg):
    texts = {t.text for t in ET.fromstring(svg).iter(f"{SVG}text")}
    assert {z.name for z in geo.zones} <= texts


def test_the_same_geography_gives_the_same_svg(geo, svg):
    assert render_svg_map(geo) == svg


def test_the_map_needs_no_internet(svg):
    assert "<image" not in svg
    assert re.findall(r"https?://[^\"]+", svg) == ["http://www.w3.org/2000/svg"]


def test_band_colours_darken_with_remoteness_and_remote_bands_are_hatched(svg):
    colours = band_colours(4)
    lum = [_luminance(c) for c in colours]
    assert lum == sorted(lum, reverse=True)
    for lighter, darker in itertools.pairwise(lum):
        assert (lighter + 0.05) / (darker + 0.05) >= 1.45
    assert "hatch2" in svg and "hatch3" in svg


def test_zone_lines_are_cased_in_white_so_they_show_on_every_band(svg):
    assert 'stroke="#ffffff" stroke-width="5"' in svg
    assert 'stroke="#0b0c0c" stroke-width="2.5"' in svg


def test_highlighting_a_zone_fades_the_others_and_says_so(geo):
    svg = render_svg_map(geo, highlight_zone="melton")
    root = ET.fromstring(svg)
    for cell in _cells(root):
        faded = cell.attrib.get("fill-opacity") == "0.3"
        assert faded == (cell.attrib["data-zone"] != "melton")
    assert "Melton is highlighted" in root.find(f"{SVG}desc").text
    assert "Melton (highlighted)" in {t.text for t in root.iter(f"{SVG}text")}


def test_highlighting_an_unknown_zone_is_refused(geo):
    with pytest.raises(InputError, match="no zone 'atlantis'"):
        render_svg_map(geo, highlight_zone="atlantis")


def test_width_sets_the_size(geo):
    root = ET.fromstring(render_svg_map(geo, width=400))
    assert root.attrib["width"] == "400"


def test_a_map_without_an_outline_clips_to_circles_and_keeps_every_cell(world, world_places, kit):
    areas = [kit.area(f"A{k}", kit.east_of(kit.BIGTOWN, k)) for k in range(6)]
    areas.append(dataclasses.replace(areas[0], code="TWIN"))  # same point as A0
    geo = assign_geography(areas, world, places=world_places)
    root = ET.fromstring(render_svg_map(geo))
    assert len(_cells(root)) == 7
    assert root.find(f".//{SVG}clipPath/{SVG}circle") is not None


def test_the_real_lsoa_map_has_408_cells(real_geo):
    assert len(_cells(ET.fromstring(render_svg_map(real_geo)))) == 408
