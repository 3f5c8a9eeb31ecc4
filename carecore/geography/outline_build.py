"""Derive the shipped county boundary from ONS LSOA centroids (run once, offline).

    python -m carecore.geography.outline_build LSOA.csv OUT.json

The ONS file gives the population-weighted centroid and district of every LSOA in the council's
area but no boundaries, and GeoNames has no county codes. So the boundary is rebuilt on a grid of
200 m cells. A cell belongs to the council's area when

1. it lies within the reach of some LSOA centroid: a disc of radius 1.5 x the mean distance to
   that centroid's three nearest neighbours, at least 2.5 km (large rural LSOAs reach farther);
2. it is nearer to an LSOA centroid than to any GeoNames place known to lie outside
   (``OUTSIDE_ANCHORS``: the neighbouring counties' towns and villages in the bounding box); and
3. it is not Leicester city: cells nearer a city place (``CITY_ANCHORS``) than 2.5 x the
   distance to the nearest LSOA centroid, within 4.5 km of a city place. The factor is there
   because city places are suburb centres well inside the city while county centroids sit
   near its edge.

The mask is smoothed (closing then opening with a 600 m disc), every LSOA centroid is kept
inside, and gaps enclosed by the county other than the city are filled. Each inside cell takes
the district of its nearest LSOA. The cell edges are traced into rings and simplified
(Douglas-Peucker, 150 m). See docs/geography.md for the checks made against the real LSOAs.
"""

from __future__ import annotations

import json
import math
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from carecore.errors import InputError

Grid = npt.NDArray[np.bool_]
XY = tuple[float, float]
Vertex = tuple[int, int]

CELL_KM = 0.2
REACH_FACTOR = 1.5  # disc radius = factor x mean distance to the 3 nearest other centroids
REACH_FLOOR_KM = 2.5
SMOOTH_KM = 0.6
SIMPLIFY_KM = 0.15
MARGIN_KM = 8.0
CITY_REACH_KM = 4.5
# City places are suburb centres kilometres inside the city, county centroids sit nearer its edge.
CITY_WEIGHT = 2.5

CITY_NAME = "Leicester (city council)"
CITY_ANCHORS: tuple[str, ...] = ("Leicester", "Humberstone", "Belgrave", "Aylestone")
# GeoNames places (population 500+) inside the county's bounding box that belong to neighbouring
# councils. Knowledge the LSOA file cannot give: it has no points outside the county.
OUTSIDE_ANCHORS: tuple[str, ...] = (
    # Nottinghamshire and Nottingham
    "Nottingham", "West Bridgford", "Basford", "New Basford", "Kimberley", "Bingham",
    "Radcliffe on Trent", "Cotgrave", "Gedling", "Keyworth", "Ruddington", "East Leake",
    "Burton Joyce", "Cropwell Bishop", "East Bridgford", "Aslockton", "Gotham",
    "Sutton Bonington", "Kinoulton", "Willoughby on the Wolds", "Awsworth",
    # Derbyshire, Derby and Staffordshire
    "Derby", "Long Eaton", "Ilkeston", "Swadlincote", "Sinfin", "Oakwood", "Chaddesden",
    "West Hallam", "Borrowash", "Duffield", "Melbourne", "Repton", "Etwall", "Aston-on-Trent",
    "Smalley", "Little Eaton", "Findern", "Quarndon", "Breadsall", "Weston upon Trent",
    "Brailsford", "Netherseal", "Newton Solney", "Ticknall", "Shardlow", "Egginton",
    "Coton in the Elms", "Burton upon Trent", "Clifton Campville",
    # Warwickshire and Coventry
    "Coventry", "Nuneaton", "Rugby", "Hartshill", "Bedworth", "Atherstone", "Attleborough",
    "Polesworth", "Brandon", "Long Lawford", "Wolston", "Keresley", "Exhall",
    "Ryton on Dunsmore", "Meriden", "Brinklow", "Austrey", "Wolvey", "Fillongley",
    "Newton Regis", "Pailton", "Berkswell",
    # North Northamptonshire and West Northamptonshire
    "Corby", "Kettering", "Desborough", "Rothwell", "Burton Latimer", "Broughton",
    "Geddington", "Brigstock", "Cottingham", "Welford", "Isham", "Yelvertoft", "Wilbarston",
    "Stanion", "Guilsborough", "Naseby", "Clipston", "Loddington",
    # Rutland
    "Oakham", "Uppingham", "Langham", "Cottesmore", "Edith Weston", "North Luffenham",
    "Greetham", "Exton", "Market Overton", "South Luffenham", "Manton", "Morcott", "Seaton",
    "Wing", "Ridlington", "Preston", "Burley", "Brooke", "Ashwell", "Barrowden",
    # Lincolnshire
    "Grantham", "Great Gonerby", "Long Bennington", "Barrowby", "South Witham", "Colsterworth",
    "Harlaxton", "Allington",
)  # fmt: skip


class Projection:
    """Local equirectangular projection in km around a reference point."""

    def __init__(self, lat0: float, lon0: float) -> None:
        self.lat0, self.lon0 = lat0, lon0
        self.kx = 111.32 * math.cos(math.radians(lat0))
        self.ky = 110.574

    def xy(self, lat: float, lon: float) -> XY:
        return ((lon - self.lon0) * self.kx, (lat - self.lat0) * self.ky)

    def latlon(self, x: float, y: float) -> tuple[float, float]:
        return (round(self.lat0 + y / self.ky, 5), round(self.lon0 + x / self.kx, 5))


def _anchor_points(names: Sequence[str], box: tuple[float, float, float, float]) -> list[XY]:
    """(lat, lon) of the GeoNames GB places with these names inside the box."""
    from carecore.geography.gazetteer import gb_places

    lat_min, lat_max, lon_min, lon_max = box
    wanted = set(names)
    found = [
        (p.lat, p.lon)
        for p in gb_places()
        if p.name in wanted and lat_min <= p.lat <= lat_max and lon_min <= p.lon <= lon_max
    ]
    seen = {p.name for p in gb_places() if p.name in wanted}
    missing = wanted - seen
    if missing:
        raise InputError(f"anchor places not in GeoNames: {', '.join(sorted(missing))}")
    return found


def _disc(radius_cells: float) -> Grid:
    r = math.ceil(radius_cells)
    yy, xx = np.mgrid[-r : r + 1, -r : r + 1]
    return np.asarray(xx * xx + yy * yy <= radius_cells * radius_cells)


def _trace(mask: Grid) -> list[list[Vertex]]:
    """Rings of grid corners around the True cells, inside on the left (outer rings CCW).

    Diagonal contacts are split by always preferring the left turn, so regions are 4-connected.
    """
    ny, nx = mask.shape
    padded = np.zeros((ny + 2, nx + 2), dtype=bool)
    padded[1:-1, 1:-1] = mask
    out: dict[Vertex, list[Vertex]] = defaultdict(list)
    js, is_ = np.nonzero(mask)
    for j, i in zip(js.tolist(), is_.tolist(), strict=True):
        if not padded[j, i + 1]:  # below
            out[(i, j)].append((i + 1, j))
        if not padded[j + 1, i + 2]:  # right
            out[(i + 1, j)].append((i + 1, j + 1))
        if not padded[j + 2, i + 1]:  # above
            out[(i + 1, j + 1)].append((i, j + 1))
        if not padded[j + 1, i]:  # left
            out[(i, j + 1)].append((i, j))
    rings: list[list[Vertex]] = []
    while out:
        start = min(out)
        ring = [start]
        prev = start
        cur = out[start].pop(0)
        if not out[start]:
            del out[start]
        while cur != start:
            ring.append(cur)
            options = out[cur]
            heading = (cur[0] - prev[0], cur[1] - prev[1])
            left = (-heading[1], heading[0])
            pick = next((o for o in options if (o[0] - cur[0], o[1] - cur[1]) == left), options[0])
            options.remove(pick)
            if not options:
                del out[cur]
            prev, cur = cur, pick
        rings.append(_corners(ring))
    return rings


def _corners(ring: list[Vertex]) -> list[Vertex]:
    n = len(ring)
    keep = []
    for k in range(n):
        a, b, c = ring[k - 1], ring[k], ring[(k + 1) % n]
        if (b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0]) != 0:
            keep.append(b)
    return keep


def _area(ring: Sequence[XY]) -> float:
    return 0.5 * sum(
        ring[k - 1][0] * ring[k][1] - ring[k][0] * ring[k - 1][1] for k in range(len(ring))
    )


def _dp(points: Sequence[XY], tol: float) -> list[XY]:
    """Douglas-Peucker on an open polyline, keeping both ends."""
    if len(points) < 3:
        return list(points)
    (ax, ay), (bx, by) = points[0], points[-1]
    dx, dy = bx - ax, by - ay
    norm = math.hypot(dx, dy) or 1e-12
    worst, worst_k = -1.0, 0
    for k in range(1, len(points) - 1):
        px, py = points[k]
        d = abs(dy * (px - ax) - dx * (py - ay)) / norm
        if d > worst:
            worst, worst_k = d, k
    if worst <= tol:
        return [points[0], points[-1]]
    return _dp(points[: worst_k + 1], tol)[:-1] + _dp(points[worst_k:], tol)


def _simplify_ring(ring: Sequence[XY], tol: float) -> list[XY]:
    far = max(range(len(ring)), key=lambda k: math.dist(ring[0], ring[k]))
    first = _dp([*ring[: far + 1]], tol)
    second = _dp([*ring[far:], ring[0]], tol)
    return first[:-1] + second[:-1]


def _shape_rings(
    mask: Grid, origin: XY, proj: Projection, *, min_area_km2: float = 0.5
) -> list[dict[str, object]]:
    """Polygons (outer ring with holes, as [lat, lon] lists) of the True cells of ``mask``."""
    x0, y0 = origin
    outers: list[list[XY]] = []
    holes: list[list[XY]] = []
    for grid_ring in _trace(mask):
        ring = [(x0 + i * CELL_KM, y0 + j * CELL_KM) for i, j in grid_ring]
        area = _area(ring)
        if abs(area) < min_area_km2:
            continue
        simple = _simplify_ring(ring, SIMPLIFY_KM)
        (outers if area > 0 else holes).append(simple)
    polygons: list[dict[str, object]] = []
    for outer in outers:
        mine = [h for h in holes if _inside(h[0], outer)]
        polygons.append(
            {
                "outer": [list(proj.latlon(x, y)) for x, y in outer],
                "holes": [[list(proj.latlon(x, y)) for x, y in h] for h in mine],
            }
        )
    return polygons


def _inside(point: XY, ring: Sequence[XY]) -> bool:
    from carecore.geography.spatial import ring_contains

    return ring_contains([(y, x) for x, y in ring], point[1], point[0])


def build_boundaries(csv_path: str | Path) -> dict[str, object]:
    """The boundary document (county, excluded city, districts) derived from an LSOA file."""
    from scipy import ndimage
    from scipy.spatial import cKDTree

    from carecore.geography.ons import load_ons_areas

    areas = load_ons_areas(csv_path)
    lats = [a.lat for a in areas]
    lons = [a.lon for a in areas]
    proj = Projection(round(sum(lats) / len(lats), 2), round(sum(lons) / len(lons), 2))
    pts = np.array([proj.xy(a.lat, a.lon) for a in areas])
    districts = sorted({a.district for a in areas})
    label_of = np.array([districts.index(a.district) for a in areas])

    spacing = cKDTree(pts).query(pts, k=4)[0][:, 1:].mean(axis=1)
    reach = np.maximum(REACH_FACTOR * spacing, REACH_FLOOR_KM)

    x0 = float(pts[:, 0].min()) - MARGIN_KM
    y0 = float(pts[:, 1].min()) - MARGIN_KM
    nx = int((float(pts[:, 0].max()) + MARGIN_KM - x0) / CELL_KM) + 1
    ny = int((float(pts[:, 1].max()) + MARGIN_KM - y0) / CELL_KM) + 1
    yy, xx = np.mgrid[0:ny, 0:nx]
    cells = np.column_stack(
        [(x0 + (xx.ravel() + 0.5) * CELL_KM), (y0 + (yy.ravel() + 0.5) * CELL_KM)]
    )

    # Reach: scaled distance to the nearest few centroids, so a far-reaching rural disc counts
    # even when a small urban centroid is nearer.
    dist, idx = cKDTree(pts).query(cells, k=8)
    within = (dist / reach[idx] <= 1.0).any(axis=1)
    near_p = dist[:, 0]
    nearest = idx[:, 0]

    box = (
        proj.lat0 + (y0 - 5) / proj.ky,
        proj.lat0 + (y0 + ny * CELL_KM + 5) / proj.ky,
        proj.lon0 + (x0 - 5) / proj.kx,
        proj.lon0 + (x0 + nx * CELL_KM + 5) / proj.kx,
    )
    outside = np.array([proj.xy(la, lo) for la, lo in _anchor_points(OUTSIDE_ANCHORS, box)])
    city = np.array([proj.xy(la, lo) for la, lo in _anchor_points(CITY_ANCHORS, box)])
    near_out = cKDTree(outside).query(cells)[0]
    near_city = cKDTree(city).query(cells)[0]
    inside = (within & (near_p < near_out) & (CITY_WEIGHT * near_p < near_city)).reshape(ny, nx)
    # The city: nearer a city place than any LSOA, and not beyond the city's reach.
    city_mask = (
        (near_city <= CITY_WEIGHT * near_p) & (near_city < near_out) & (near_city <= CITY_REACH_KM)
    )
    city_mask = city_mask.reshape(ny, nx)

    structure = _disc(SMOOTH_KM / CELL_KM)
    inside = ndimage.binary_opening(ndimage.binary_closing(inside, structure), structure)
    inside &= ~city_mask
    for px, py in pts:  # every LSOA centroid stays inside, whatever the smoothing did
        inside[int((py - y0) / CELL_KM), int((px - x0) / CELL_KM)] = True
    city_mask &= ~inside

    # Gaps enclosed by the county, other than the city, are artefacts of the reach discs.
    gaps, _ = ndimage.label(~inside & ~city_mask)
    border = np.unique(np.concatenate([gaps[0], gaps[-1], gaps[:, 0], gaps[:, -1]]))
    inside |= (gaps > 0) & ~np.isin(gaps, border)

    labels = label_of[nearest].reshape(ny, nx)
    origin = (x0, y0)
    return {
        "name": "Leicestershire County Council area (seven districts)",
        "derived_from": (
            "ONS LSOA 2021 population-weighted centroids and districts (OGL v3), and GeoNames "
            "places outside the county (CC BY 4.0), by carecore.geography.outline_build"
        ),
        "parameters": {
            "cell_km": CELL_KM,
            "reach_factor": REACH_FACTOR,
            "reach_floor_km": REACH_FLOOR_KM,
            "smooth_km": SMOOTH_KM,
            "simplify_km": SIMPLIFY_KM,
        },
        "county": _shape_rings(inside, origin, proj),
        "excluded": {CITY_NAME: _shape_rings(city_mask, origin, proj)},
        "districts": {
            name: _shape_rings(inside & (labels == k), origin, proj, min_area_km2=0.2)
            for k, name in enumerate(districts)
        },
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        print("usage: python -m carecore.geography.outline_build LSOA.csv OUT.json")
        return 2
    document = build_boundaries(args[0])
    Path(args[1]).write_text(json.dumps(document, separators=(",", ":")) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
