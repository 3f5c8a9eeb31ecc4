"""Travel sources: straight line, matrix files, OSRM (against a fake local server), fitting."""

from __future__ import annotations

import json
import math
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest

from carecore.errors import InputError
from carecore.geography import default_geography
from carecore.rostering.travel import (
    EARTH_RADIUS_METRES,
    Point,
    StraightLineTravel,
    TravelMatrix,
    TravelSource,
    geography_points,
    haversine_metres,
    load_travel_defaults,
    metres_to_miles,
    miles_to_metres,
    travel_source_from,
)
from carecore.rostering.travel_calibration import fit_road_factor, fit_speed_mph, fit_straight_line
from carecore.rostering.travel_file import MatrixFileTravel
from carecore.rostering.travel_osrm import OsrmTravel

# GeoNames coordinates of three Leicestershire towns (as in the default geography).
LOUGHBOROUGH = Point(52.76667, -1.2)
HINCKLEY = Point(52.5389, -1.37613)
SHEPSHED = Point(52.7711, -1.2951)


def law_of_cosines_metres(a: Point, b: Point) -> float:
    """Great-circle distance by the spherical law of cosines: a different formula from the
    haversine the code uses, so agreement checks the code rather than repeating it."""
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dlon = math.radians(b.lon - a.lon)
    cos_angle = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dlon)
    return EARTH_RADIUS_METRES * math.acos(min(1.0, cos_angle))


def straight(factor: str = "1.3") -> StraightLineTravel:
    return StraightLineTravel(
        road_factor=Decimal(factor),
        speeds_mph_by_band={"URBAN": Decimal(18), "RURAL": Decimal(30)},
        default_speed_mph=Decimal(25),
    )


# --- units and points -------------------------------------------------------------------


def test_a_mile_is_exactly_1609_344_metres_both_ways() -> None:
    assert metres_to_miles(1609344) == Decimal(1000)
    assert miles_to_metres(Decimal("2.5")) == Decimal("4023.360")


@pytest.mark.parametrize(("lat", "lon"), [(91, 0), (0, -181), (float("nan"), 0), (0, math.inf)])
def test_a_point_off_the_globe_is_refused(lat: float, lon: float) -> None:
    with pytest.raises(InputError):
        Point(lat, lon)


def test_a_travel_matrix_refuses_negative_non_square_or_a_nonzero_diagonal() -> None:
    with pytest.raises(InputError, match=r"negative value at \[0, 1\]"):
        TravelMatrix(np.array([[0, -1], [1, 0]]), np.zeros((2, 2)), "test")
    with pytest.raises(InputError, match="square"):
        TravelMatrix(np.zeros((2, 3)), np.zeros((2, 3)), "test")
    with pytest.raises(InputError, match="diagonal"):
        TravelMatrix(np.eye(2), np.zeros((2, 2)), "test")
    with pytest.raises(InputError, match="whole numbers"):
        TravelMatrix(np.array([[0, 61.7], [60, 0]]), np.zeros((2, 2)), "test")


def test_a_travel_matrix_is_read_only_whole_numbers() -> None:
    matrix = TravelMatrix(np.array([[0, 5], [6, 0]]), np.array([[0, 50], [60, 0]]), "test")
    assert matrix.seconds.dtype == np.int64 and matrix.metres.dtype == np.int64
    with pytest.raises(ValueError):
        matrix.seconds[0, 1] = 1


# --- straight line ----------------------------------------------------------------------


def test_one_degree_of_latitude_is_a_ninetieth_of_a_quarter_meridian() -> None:
    got = haversine_metres([Point(52.0, -1.0), Point(53.0, -1.0)])[0, 1]
    assert got == pytest.approx(EARTH_RADIUS_METRES * math.pi / 180, rel=1e-12)


def test_haversine_between_leicestershire_towns_matches_the_law_of_cosines() -> None:
    got = haversine_metres([LOUGHBOROUGH, HINCKLEY, SHEPSHED])
    assert got[0, 1] == pytest.approx(law_of_cosines_metres(LOUGHBOROUGH, HINCKLEY), rel=1e-9)
    assert got[0, 2] == pytest.approx(law_of_cosines_metres(LOUGHBOROUGH, SHEPSHED), rel=1e-9)
    # Loughborough to Hinckley is about 28 km as the crow flies.
    assert 27_000 < got[0, 1] < 29_000


def test_the_road_factor_scales_distance_exactly() -> None:
    points = [LOUGHBOROUGH, HINCKLEY, SHEPSHED]
    crow = haversine_metres(points)
    for factor in ("1", "1.3", "1.75"):
        metres = straight(factor).matrix(points).metres
        np.testing.assert_array_equal(metres, np.rint(crow * float(factor)).astype(np.int64))
    ratio = straight("2").matrix(points).metres / straight("1").matrix(points).metres.clip(1)
    assert ratio[0, 1] == pytest.approx(2, abs=1e-4)


def test_rural_driving_takes_less_time_per_mile_than_urban() -> None:
    source = straight()
    points = [LOUGHBOROUGH, HINCKLEY]
    urban = source.matrix(points, ["URBAN", "URBAN"])
    rural = source.matrix(points, ["RURAL", "RURAL"])
    assert urban.metres[0, 1] == rural.metres[0, 1]
    assert rural.seconds[0, 1] < urban.seconds[0, 1]
    # Each at its own band's speed: seconds per mile = 3600 / mph.
    miles = float(metres_to_miles(int(urban.metres[0, 1])))
    assert urban.seconds[0, 1] / miles == pytest.approx(3600 / 18, rel=1e-3)
    assert rural.seconds[0, 1] / miles == pytest.approx(3600 / 30, rel=1e-3)


def test_a_trip_across_bands_runs_half_its_length_at_each_bands_speed() -> None:
    got = straight().matrix([LOUGHBOROUGH, HINCKLEY], ["urban", "Rural"])
    miles = float(metres_to_miles(int(got.metres[0, 1])))
    assert got.seconds[0, 1] == pytest.approx(miles / 2 * 3600 / 18 + miles / 2 * 3600 / 30, abs=1)


def test_without_bands_every_trip_is_at_the_default_speed() -> None:
    got = straight().matrix([LOUGHBOROUGH, HINCKLEY])
    miles = float(metres_to_miles(int(got.metres[0, 1])))
    assert got.seconds[0, 1] == pytest.approx(miles * 3600 / 25, abs=1)


def test_a_band_with_no_speed_is_an_error_naming_it() -> None:
    with pytest.raises(InputError, match="no speed for band 'INNER'"):
        straight().matrix([LOUGHBOROUGH, HINCKLEY], ["INNER", "URBAN"])
    with pytest.raises(InputError, match="1 bands for 2 points"):
        straight().matrix([LOUGHBOROUGH, HINCKLEY], ["URBAN"])


def test_a_road_factor_below_one_is_refused() -> None:
    with pytest.raises(InputError, match="road_factor"):
        straight("0.9")


def test_the_straight_line_matrix_of_the_default_geography_is_symmetric_with_a_zero_diagonal() -> (
    None
):
    source = load_travel_defaults().straight_line
    assert isinstance(source, TravelSource)
    points, bands = geography_points(default_geography())
    got = source.matrix(points, bands)
    assert got.size == len(points) > 50
    np.testing.assert_array_equal(got.seconds, got.seconds.T)
    np.testing.assert_array_equal(got.metres, got.metres.T)
    assert not np.diagonal(got.seconds).any()
    assert (got.metres[~np.eye(got.size, dtype=bool)] > 0).all()


def test_the_shipped_defaults_give_every_leicestershire_band_a_speed_rural_faster() -> None:
    defaults = load_travel_defaults()
    speeds = defaults.straight_line.speeds_mph_by_band
    for band in default_geography().scheme.codes:
        assert band in speeds
    assert speeds["URBAN"] < speeds["FRINGE"] <= speeds["RURAL"] <= speeds["ISOLATED"]
    assert defaults.straight_line.road_factor >= 1
    assert "assumption" in defaults.straight_line.basis


def test_an_unknown_key_in_the_travel_file_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "travel.toml"
    path.write_text("[straight_line]\nroad_factor = 1.2\nroad_factr = 1.3\n")
    with pytest.raises(InputError, match=r"travel\.toml.*'straight_line\.road_factr'"):
        load_travel_defaults(path)
    path.write_text(
        "[straight_line]\nroad_factor = 1.2\n[straight_line.speeds_mph_by_band]\nURBAN = -4\n"
    )
    with pytest.raises(InputError, match=r"speeds_mph_by_band\.URBAN"):
        load_travel_defaults(path)


# --- matrix files -----------------------------------------------------------------------

GOOD_CSV = """measure,point,lat,lon,Loughborough,Shepshed,Hinckley
seconds,Loughborough,52.76667,-1.2,0,660,2100
seconds,Shepshed,52.7711,-1.2951,640,0,2000
seconds,Hinckley,52.5389,-1.37613,2150,1990,0
metres,Loughborough,,,0,7400,36000
metres,Shepshed,,,7350,0,33000
metres,Hinckley,,,36100,32900.6,0
"""


def write(tmp_path: Path, text: str, name: str = "matrix.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_matrix_file_gives_its_figures_for_the_nearest_named_points(tmp_path: Path) -> None:
    source = MatrixFileTravel(write(tmp_path, GOOD_CSV))
    # Asked in another order, one point 5 m off its town's coordinates.
    nudged = Point(HINCKLEY.lat + 0.000045, HINCKLEY.lon)
    got = source.matrix([nudged, LOUGHBOROUGH])
    assert got.seconds.tolist() == [[0, 2150], [2100, 0]]
    assert got.metres.tolist() == [[0, 36100], [36000, 0]]
    assert source.matrix_for_names(["Shepshed", "Hinckley"]).metres.tolist() == [
        [0, 33000],
        [32901, 0],
    ]
    assert "matrix.csv" in got.source
    assert list(source.points) == ["Loughborough", "Shepshed", "Hinckley"]


def test_a_point_the_matrix_file_lacks_is_an_error_naming_the_file_and_nearest(
    tmp_path: Path,
) -> None:
    source = MatrixFileTravel(write(tmp_path, GOOD_CSV))
    with pytest.raises(InputError, match=r"matrix\.csv.*nearest is 'Shepshed'"):
        source.matrix([Point(52.78, -1.30)])
    with pytest.raises(InputError, match="no point called 'Melton'"):
        source.matrix_for_names(["Melton"])


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("0,660,2100", "0,6x0,2100"), r"row 2, 'Shepshed': expected a number of seconds"),
        (("7350,0,33000", "7350,0,-3"), r"row 6, 'Hinckley': metres cannot be negative"),
        (("640,0,2000", "640,0,"), r"row 3, 'Hinckley': expected a number"),
        (("0,7400,36000\n", "0,7400\n"), r"row 5: has 6 cells but the header has 7"),
        (("seconds,Shepshed", "seconds,Shepshead"), r"row 3, 'point': point 'Shepshead' has a row"),
        (("seconds,Hinckley", "seconds,Shepshed"), r"row 4, 'point': a second seconds row"),
        (("metres,Hinckley,,,36100,32900.6,0\n", ""), r"no metres row for 'Hinckley'"),
        (
            ("2150,1990,0", "2150,1990,9"),
            r"row 4, 'Hinckley': seconds from 'Hinckley' to itself must be 0",
        ),
        (("seconds,Shepshed,52.7711", "seconds,Shepshed,95"), r"row 3, 'Shepshed.lat'"),
        (("metres,Shepshed,,", "metres,Shepshed,52.8,"), r"row 6: give both lat and lon"),
    ],
)
def test_a_bad_matrix_csv_is_an_error_naming_the_file_row_and_column(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    old, new = change
    assert old in GOOD_CSV
    path = write(tmp_path, GOOD_CSV.replace(old, new, 1))
    with pytest.raises(InputError, match=expected) as caught:
        MatrixFileTravel(path)
    assert str(caught.value).startswith(str(path))


def test_a_non_square_matrix_csv_names_the_missing_row(tmp_path: Path) -> None:
    text = GOOD_CSV.replace("seconds,Hinckley,52.5389,-1.37613,2150,1990,0\n", "")
    with pytest.raises(InputError, match=r"matrix\.csv: no seconds row for 'Hinckley'.*square"):
        MatrixFileTravel(write(tmp_path, text))


def json_matrix(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "points": [
            {"name": "Loughborough", "lat": 52.76667, "lon": -1.2},
            {"name": "Shepshed", "lat": 52.7711, "lon": -1.2951},
        ],
        "seconds": [[0, 660], [640, 0]],
        "metres": [[0, 7400], [7350.4, 0]],
    }
    data.update(overrides)
    return data


def test_a_json_matrix_file_reads_like_the_csv(tmp_path: Path) -> None:
    source = MatrixFileTravel(write(tmp_path, json.dumps(json_matrix()), "m.json"))
    got = source.matrix([SHEPSHED, LOUGHBOROUGH])
    assert got.seconds.tolist() == [[0, 640], [660, 0]]
    assert got.metres.tolist() == [[0, 7350], [7400, 0]]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"seconds": [[0, 660]]}, r"'seconds': expected 2 rows, one per point, got 1"),
        ({"metres": [[0, 7400, 1], [1, 0]]}, r"'metres': row 'Loughborough' has 3 values"),
        ({"seconds": [[0, "x"], [640, 0]]}, r"'seconds\['Loughborough'\]\['Shepshed'\]'"),
        ({"metres": [[0, 7400], [-1, 0]]}, r"'metres\['Shepshed'\]\['Loughborough'\]'.*negative"),
        ({"minutes": []}, r"'minutes': unknown key"),
    ],
)
def test_a_bad_json_matrix_is_an_error_naming_the_cell(
    tmp_path: Path, overrides: dict[str, object], expected: str
) -> None:
    path = write(tmp_path, json.dumps(json_matrix(**overrides)), "m.json")
    with pytest.raises(InputError, match=r"m\.json, " + expected):
        MatrixFileTravel(path)


# --- OSRM against a fake local server ---------------------------------------------------


@dataclass
class FakeOsrm:
    """A tiny OSRM look-alike on 127.0.0.1: answers /table/v1 like osrm-routed, from the
    coordinates it is sent (road metres = 1.25 x great circle, at 10 m/s)."""

    max_table_size: int = 100
    fail_with: tuple[int, dict[str, object]] | None = None
    unroutable: bool = False
    requests: list[str] = field(default_factory=list)
    url: str = ""

    def answer(self, path: str) -> tuple[int, dict[str, object]]:
        self.requests.append(path)
        if self.fail_with is not None:
            return self.fail_with
        parts = urlsplit(path)
        coordinates = parts.path.split("/")[-1].split(";")
        points = [Point(float(c.split(",")[1]), float(c.split(",")[0])) for c in coordinates]
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        assert query["annotations"] == "duration,distance"
        every = list(range(len(points)))
        sources = [int(i) for i in query["sources"].split(";")] if "sources" in query else every
        targets = (
            [int(i) for i in query["destinations"].split(";")] if "destinations" in query else every
        )
        if len(sources) * len(targets) > self.max_table_size**2:
            return 400, {"code": "TooBig", "message": "Too many table coordinates"}
        crow = haversine_metres(points)
        metres = [[round(crow[i, j] * 1.25, 1) for j in targets] for i in sources]
        seconds: list[list[float | None]] = [[round(m / 10, 1) for m in row] for row in metres]
        if self.unroutable:
            seconds[0][-1] = None
        return 200, {"code": "Ok", "durations": seconds, "distances": metres}


@pytest.fixture
def fake_osrm() -> Iterator[FakeOsrm]:
    fake = FakeOsrm()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, body = fake.answer(self.path)
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:  # quiet test output
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_osrm_gives_the_servers_seconds_and_metres(fake_osrm: FakeOsrm) -> None:
    points = [LOUGHBOROUGH, HINCKLEY, SHEPSHED]
    got = OsrmTravel(fake_osrm.url, timeout=5).matrix(points)
    crow = haversine_metres(points)
    assert got.metres[0, 1] == round(round(crow[0, 1] * 1.25, 1))
    assert got.seconds[0, 1] == round(round(crow[0, 1] * 1.25, 1) / 10)
    assert len(fake_osrm.requests) == 1
    assert "/table/v1/driving/-1.200000,52.766670;" in fake_osrm.requests[0]
    assert got.source == f"OSRM {fake_osrm.url} (driving)"


def test_osrm_splits_a_big_table_into_blocks_the_server_accepts(fake_osrm: FakeOsrm) -> None:
    geography = default_geography()
    points, _ = geography_points(geography, [a.code for a in geography.areas[:7]])
    whole = OsrmTravel(fake_osrm.url, timeout=5).matrix(points)
    fake_osrm.max_table_size = 3
    fake_osrm.requests.clear()
    split = OsrmTravel(fake_osrm.url, timeout=5, max_table_size=3).matrix(points)
    # 7 points in blocks of 3, 3 and 1: nine requests, none refused as too big.
    assert len(fake_osrm.requests) == 9
    np.testing.assert_array_equal(split.seconds, whole.seconds)
    np.testing.assert_array_equal(split.metres, whole.metres)


def test_an_osrm_refusal_is_an_input_error_naming_the_url_and_the_servers_message(
    fake_osrm: FakeOsrm,
) -> None:
    fake_osrm.fail_with = (400, {"code": "InvalidQuery", "message": "Query string malformed"})
    with pytest.raises(InputError) as caught:
        OsrmTravel(fake_osrm.url, timeout=5).matrix([LOUGHBOROUGH, HINCKLEY])
    message = str(caught.value)
    assert f"{fake_osrm.url}/table/v1/driving/" in message
    assert "HTTP 400" in message and "InvalidQuery: Query string malformed" in message


def test_an_osrm_pair_with_no_route_is_an_error_naming_the_points(fake_osrm: FakeOsrm) -> None:
    fake_osrm.unroutable = True
    with pytest.raises(InputError, match=r"no road route from point 0 \(52.76667, -1.2\)"):
        OsrmTravel(fake_osrm.url, timeout=5).matrix([LOUGHBOROUGH, HINCKLEY])


def test_an_osrm_server_that_is_not_there_is_an_error_naming_the_url() -> None:
    with socket.socket() as probe:  # a loopback port nothing listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    with pytest.raises(InputError, match=rf"{url}/table/v1/.*could not reach the OSRM server"):
        OsrmTravel(url, timeout=5).matrix([LOUGHBOROUGH, HINCKLEY])


def test_an_osrm_address_must_be_http() -> None:
    with pytest.raises(InputError, match="http"):
        OsrmTravel("file:///etc/passwd")


# --- choosing a source ------------------------------------------------------------------


def test_the_travel_option_chooses_straight_line_a_file_or_osrm(tmp_path: Path) -> None:
    assert isinstance(travel_source_from(None), StraightLineTravel)
    assert isinstance(travel_source_from("Straight-Line"), StraightLineTravel)
    osrm = travel_source_from("https://osrm.example.invalid/")
    assert isinstance(osrm, OsrmTravel) and osrm.base_url == "https://osrm.example.invalid"
    path = write(tmp_path, GOOD_CSV)
    assert isinstance(travel_source_from(str(path)), MatrixFileTravel)
    with pytest.raises(InputError, match="--travel"):
        travel_source_from(str(tmp_path / "missing.csv"))


# --- calibration ------------------------------------------------------------------------


def synthetic_pairs(factor: float, noise: float = 0.0) -> list[tuple[Point, Point, float]]:
    rng = np.random.default_rng(20240601)
    points = [Point(52.4 + 0.5 * rng.random(), -1.6 + 0.8 * rng.random()) for _ in range(40)]
    crow = haversine_metres(points)
    pairs = []
    for i in range(len(points)):
        for j in range(i + 1, len(points)):
            road = crow[i, j] * factor * (1 + noise * rng.standard_normal())
            pairs.append((points[i], points[j], float(road)))
    return pairs


def test_the_fit_recovers_a_known_road_factor_exactly_from_exact_pairs() -> None:
    fit = fit_road_factor(synthetic_pairs(1.37))
    assert fit.road_factor == pytest.approx(1.37, abs=1e-12)
    assert fit.pairs == 40 * 39 // 2 and fit.skipped == 0
    assert fit.ratio_sd == pytest.approx(0, abs=1e-12)
    assert fit.factor_decimal(2) == Decimal("1.37")


def test_the_fit_recovers_a_noisy_factor_within_its_standard_error() -> None:
    fit = fit_road_factor(synthetic_pairs(1.3, noise=0.1))
    assert abs(fit.road_factor - 1.3) < 4 * fit.standard_error < 0.02
    assert fit.ratio_min < 1.3 < fit.ratio_max
    assert fit.ratio_sd == pytest.approx(0.13, rel=0.15)


def test_the_fit_skips_pairs_at_one_place_and_refuses_when_none_are_left() -> None:
    fit = fit_road_factor([(HINCKLEY, HINCKLEY, 300), (HINCKLEY, LOUGHBOROUGH, 40_000)])
    assert fit.pairs == 1 and fit.skipped == 1
    with pytest.raises(InputError, match="no pair with two different places"):
        fit_road_factor([(HINCKLEY, HINCKLEY, 300)])
    with pytest.raises(InputError, match=r"pairs\[0\]"):
        fit_road_factor([(HINCKLEY, LOUGHBOROUGH, -5)])


def test_the_fit_weighs_long_trips_more_as_mileage_does() -> None:
    near, far = Point(52.6, -1.2), Point(52.9, -1.2)
    short = haversine_metres([LOUGHBOROUGH, SHEPSHED])[0, 1]
    long = haversine_metres([near, far])[0, 1]
    # The short trip doubles its crow-fly distance; the long one is dead straight.
    fit = fit_road_factor([(LOUGHBOROUGH, SHEPSHED, 2 * short), (near, far, long)])
    expected = (2 * short * short + long * long) / (short * short + long * long)
    assert fit.road_factor == pytest.approx(expected, rel=1e-12)
    assert (fit.ratio_min, fit.ratio_max) == pytest.approx((1.0, 2.0))
    assert fit.road_factor < 1.05  # the mean of the two ratios would say 1.5


def test_a_fitted_speed_reproduces_the_total_time_driven() -> None:
    trips = [(1609.344 * 10, 1200.0), (1609.344 * 5, 900.0)]
    assert fit_speed_mph(trips) == pytest.approx(15 / (2100 / 3600))


def test_fitting_against_a_known_source_recovers_its_factor_and_band_speeds() -> None:
    truth = StraightLineTravel(
        road_factor=Decimal("1.42"),
        speeds_mph_by_band={"URBAN": Decimal(16), "RURAL": Decimal(33)},
    )
    points, bands = geography_points(default_geography())
    keep = [i for i, b in enumerate(bands) if b in ("URBAN", "RURAL")]
    points = [points[i] for i in keep]
    bands = [bands[i] for i in keep]
    result = fit_straight_line(truth, points, bands)
    assert result.fit.road_factor == pytest.approx(1.42, abs=1e-4)
    assert result.speeds_mph_by_band["URBAN"] == pytest.approx(16, rel=1e-3)
    assert result.speeds_mph_by_band["RURAL"] == pytest.approx(33, rel=1e-3)
    fitted = result.as_straight_line(bands=["FRINGE"])
    assert fitted.road_factor == Decimal("1.42")
    assert fitted.speeds_mph_by_band["FRINGE"] == Decimal(f"{result.overall_mph:.1f}")
    assert "calibrated against straight-line" in fitted.basis
