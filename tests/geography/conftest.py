"""Hand-made worlds for the geography tests: towns at known places, no GeoNames needed."""

from __future__ import annotations

import functools
import math
from pathlib import Path
from types import SimpleNamespace

import pytest

from carecore.geography import (
    Area,
    Band,
    BandScheme,
    Geography,
    TownSpec,
    Zone,
    ZonesDefinition,
)
from carecore.geography.gazetteer import Place

DATA = Path(__file__).resolve().parents[1] / "data" / "geography"

# Bigtown (40,000 people) and Smallville (3,000) 11.1 km apart; Cityton (100,000) is not a
# zone town. Latitude 52 N: one km east is 1 / (111.32 x cos 52) degrees of longitude.
BIGTOWN = (52.0, 0.0)
SMALLVILLE = (51.9, 0.0)
CITYTON = (52.0, 0.2)
KM_EAST = 1 / (111.32 * math.cos(math.radians(52.0)))

FOUR_BANDS = BandScheme(
    name="Test bands",
    bands=(
        Band("URBAN", "Urban", 0),
        Band("FRINGE", "Fringe", 1),
        Band("RURAL", "Rural", 2),
        Band("ISOLATED", "Isolated", 3),
    ),
)


def east_of(origin: tuple[float, float], km: float) -> tuple[float, float]:
    return (origin[0], origin[1] + km * KM_EAST)


def make_area(code: str, where: tuple[float, float], district: str = "Nearshire") -> Area:
    return Area(code, code, where[0], where[1], 100, district)


@pytest.fixture(scope="session")
def world() -> ZonesDefinition:
    return ZonesDefinition(
        name="Testshire",
        scheme=FOUR_BANDS,
        zones=(
            Zone("north", "North", "large", ("Bigtown",)),
            Zone("south", "South", "small_town", ("Smallville",)),
            Zone("rural-free", "Rural Free", "rural_free", (), has_prime=False),
        ),
        rural_free_districts={"rural-free": ("Farshire",)},
        towns={
            "Bigtown": TownSpec("Bigtown", lat=BIGTOWN[0], lon=BIGTOWN[1], population=40_000),
            "Smallville": TownSpec(
                "Smallville", lat=SMALLVILLE[0], lon=SMALLVILLE[1], population=3_000
            ),
        },
    )


@pytest.fixture(scope="session")
def world_places() -> list[Place]:
    return [
        Place(1, "Bigtown", BIGTOWN[0], BIGTOWN[1], 40_000),
        Place(2, "Smallville", SMALLVILLE[0], SMALLVILLE[1], 3_000),
        Place(3, "Cityton", CITYTON[0], CITYTON[1], 100_000),
    ]


@pytest.fixture(scope="session")
def kit() -> SimpleNamespace:
    """The hand-made world's places and helpers, for tests that build areas."""
    return SimpleNamespace(
        BIGTOWN=BIGTOWN,
        SMALLVILLE=SMALLVILLE,
        CITYTON=CITYTON,
        east_of=east_of,
        area=make_area,
        DATA=DATA,
    )


@functools.cache
def _real_geo(path: str) -> Geography:
    from carecore.geography import assign_geography, load_ons_areas
    from carecore.geography.default import default_definition

    return assign_geography(load_ons_areas(path), default_definition())


@pytest.fixture
def real_geo(shared_data: Path) -> Geography:
    """The real 408 Leicestershire LSOAs under the shipped definition (built once)."""
    return _real_geo(str(shared_data / "leics_lsoa21.csv"))
