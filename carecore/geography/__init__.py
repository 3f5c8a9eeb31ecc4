"""Geography: areas, zones and pricing bands as data, and the rule that links them.

The embedded default is Leicestershire's 14 zones over real GeoNames places; a council can
bring its own ONS-style area file and its own zones definition (TOML).
"""

from __future__ import annotations

from carecore.geography.default import default_geography
from carecore.geography.definition import (
    RuleParams,
    TownSpec,
    ZonesDefinition,
    load_zones_definition,
)
from carecore.geography.model import ZONE_KINDS, Area, Band, BandScheme, Geography, Zone
from carecore.geography.ons import OnsComparison, compare_with_ons, load_ons_areas
from carecore.geography.rule import assign_geography
from carecore.geography.spatial import Outline, Shape
from carecore.geography.summary import zones_summary
from carecore.geography.svgmap import render_svg_map

__all__ = [
    "ZONE_KINDS",
    "Area",
    "Band",
    "BandScheme",
    "Geography",
    "OnsComparison",
    "Outline",
    "RuleParams",
    "Shape",
    "TownSpec",
    "Zone",
    "ZonesDefinition",
    "assign_geography",
    "compare_with_ons",
    "default_geography",
    "load_ons_areas",
    "load_zones_definition",
    "render_svg_map",
    "zones_summary",
]
