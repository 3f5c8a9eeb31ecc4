"""The map of one day's rounds: valid, accessible SVG with one path per carer's round."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest

from carecore.errors import InputError
from carecore.geography.model import Area, Band, BandScheme, Geography, Zone
from carecore.rostering.calibrate import DayRounds, RoundPath
from carecore.rostering.round_map import (
    ROUND_COLOURS,
    render_rounds_svg,
    round_km,
    round_style,
    round_style_words,
)

SVG = "{http://www.w3.org/2000/svg}"


def _day(provider: str, zone: str, carers: int, stops: int = 3) -> DayRounds:
    paths = tuple(
        RoundPath(
            carer=f"carer {c + 1}",
            home=(52.60 + 0.01 * c, -1.20),
            stops=tuple((52.61 + 0.002 * s, -1.19 + 0.003 * c) for s in range(stops)),
        )
        for c in range(carers)
    )
    return DayRounds(provider=provider, zone=zone, day=0, paths=paths, late_visits=0)


def _geography() -> Geography:
    scheme = BandScheme("Test bands", (Band("URBAN", "Urban", 0),))
    areas = (
        Area("A1", "Oakbury", 52.605, -1.21, 900, "Test"),
        Area("A2", "Elmford", 52.63, -1.17, 400, "Test"),
        Area("B1", "Far Away", 53.4, -0.5, 100, "Test"),
    )
    return Geography(
        scheme=scheme,
        zones=(Zone("north", "North", "large", ()), Zone("south", "South", "large", ())),
        areas=areas,
        zone_of={"A1": "north", "A2": "north", "B1": "south"},
        band_of={"A1": "URBAN", "A2": "URBAN", "B1": "URBAN"},
    )


def _parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)


def _child(element: ElementTree.Element, path: str) -> ElementTree.Element:
    found = element.find(path)
    assert found is not None, path
    return found


def _points(path: ElementTree.Element) -> list[str]:
    return str(path.get("d")).lstrip("M").split("L")


def test_the_map_parses_as_svg_with_one_path_per_round() -> None:
    svg = render_rounds_svg(
        [_day("Alder Care", "north", 3), _day("Birch Care", "north", 2)],
        title="Rounds in North on a Monday",
    )
    root = _parse(svg)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert _child(root, f"{SVG}title").text == "Rounds in North on a Monday"
    assert "5 carers' rounds with 15 visits" in str(_child(root, f"{SVG}desc").text)
    rounds = root.findall(f".//{SVG}path[@class='round']")
    assert len(rounds) == 5
    assert {r.get("data-carer") for r in rounds} >= {"Alder Care: carer 1", "Birch Care: carer 2"}
    assert len(root.findall(f".//{SVG}rect[@class='home']")) == 5
    assert len(root.findall(f".//{SVG}circle[@class='visit']")) == 15


def test_each_round_goes_from_home_through_its_stops_and_back() -> None:
    root = _parse(render_rounds_svg([_day("Alder Care", "north", 1, stops=4)], title="t"))
    (path,) = root.findall(f".//{SVG}path[@class='round']")
    points = _points(path)
    assert len(points) == 4 + 2 and points[0] == points[-1]


def test_only_the_chosen_zone_is_drawn_with_its_places_behind() -> None:
    svg = render_rounds_svg(
        [_day("Alder Care", "north", 2), _day("Alder Care", "south", 4)],
        geography=_geography(),
        zone_code="north",
        title="North",
    )
    root = _parse(svg)
    assert len(root.findall(f".//{SVG}path[@class='round']")) == 2
    places = _child(root, f".//{SVG}g[@class='places']")
    names = [t.text for t in places.iter(f"{SVG}text")]
    assert names == ["Oakbury", "Elmford"]  # not the other zone's place


def test_every_round_is_drawn_inside_the_picture() -> None:
    root = _parse(render_rounds_svg([_day("Alder Care", "north", 12)], title="t", width=500))
    width, height = float(str(root.get("width"))), float(str(root.get("height")))
    for path in root.findall(f".//{SVG}path[@class='round']"):
        for point in _points(path):
            x, y = (float(v) for v in point.split(","))
            assert 0 <= x <= width and 0 <= y <= height


def test_rounds_beyond_the_colours_are_told_apart_by_their_dashes() -> None:
    count = len(ROUND_COLOURS)
    assert round_style(0)[0] == round_style(count)[0]
    assert round_style(0)[1] != round_style(count)[1]
    assert round_style_words(0) == "blue, solid" and round_style_words(count) == "blue, dashed"
    styles = {round_style(k) for k in range(3 * count)}
    assert len(styles) == 3 * count


def test_a_rounds_length_counts_the_way_home() -> None:
    there = RoundPath("c", home=(52.6, -1.2), stops=((52.7, -1.2),))
    assert round_km(there) == pytest.approx(2 * 11.06, rel=0.01)  # 0.1 degree north and back


def test_a_map_with_no_rounds_is_an_error() -> None:
    with pytest.raises(InputError, match="no rounds"):
        render_rounds_svg([_day("Alder Care", "north", 2)], zone_code="south", title="t")


def test_the_same_rounds_give_the_same_svg() -> None:
    days = [_day("Alder Care", "north", 3)]
    assert render_rounds_svg(days, title="t") == render_rounds_svg(days, title="t")


def test_a_crowded_legend_names_the_first_rounds_and_counts_the_rest() -> None:
    root = _parse(render_rounds_svg([_day("Alder Care", "north", 25, stops=1)], title="t"))
    assert len(root.findall(f".//{SVG}path[@class='round']")) == 25
    texts = [str(t.text) for t in root.iter(f"{SVG}text")]
    assert sum(t.startswith("carer ") for t in texts) == 20
    assert any(t.startswith("and 5 more rounds") for t in texts)


def _contrast_with_white(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


def test_every_round_colour_stands_out_from_the_white_map() -> None:
    # WCAG 2.2 1.4.11: graphical objects need 3:1 against what is next to them.
    assert min(_contrast_with_white(c) for c in ROUND_COLOURS) >= 3


def test_the_legend_counts_one_visit_in_the_singular() -> None:
    svg = render_rounds_svg([_day("Alder Care", "north", 2, stops=1)], title="Rounds")
    assert "(1 visit)" in svg and "(1 visits)" not in svg
    assert "(2 visits)" in render_rounds_svg([_day("Alder Care", "north", 1, stops=2)], title="R")
