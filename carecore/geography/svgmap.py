"""An SVG map of a geography: one Voronoi cell per area, filled by band, with zone outlines.

No internet tiles: cells are the Voronoi tessellation of the area points, clipped to the
council's outline (or, without one, to circles around the points). Thick lines separate
neighbouring cells in different zones. The projection is equirectangular with longitude scaled
by cos(latitude). The same geography always gives the same SVG, byte for byte.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from carecore.errors import InputError
from carecore.geography.model import Geography

# ColorBrewer YlGnBu (colour-blind safe), from light (least remote) to dark. Darker bands also
# carry a hatch so that colour is not the only cue.
PALETTE: tuple[str, ...] = ("#ffffcc", "#a1dab4", "#41b6c4", "#225ea8", "#0c2c84")
INK = "#0b0c0c"
MARGIN = 16
LEGEND_ROW = 26
FONT = "Arial, Helvetica, sans-serif"

Point = tuple[float, float]


@dataclass(frozen=True)
class MapFrame:
    """Projection from (lat, lon) to SVG pixels (equirectangular: ``kx`` is cos(latitude))."""

    lat_max: float
    lon_min: float
    kx: float
    scale: float

    def xy(self, lat: float, lon: float) -> Point:
        return (
            MARGIN + (lon - self.lon_min) * self.kx * self.scale,
            MARGIN + (self.lat_max - lat) * self.scale,
        )


def px(value: float) -> str:
    """A coordinate for SVG: one decimal, never minus zero."""
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def _path(points: Sequence[Point]) -> str:
    return "M" + "L".join(f"{px(x)},{px(y)}" for x, y in points) + "Z"


def band_colours(count: int) -> tuple[str, ...]:
    """Fill colours for a scheme of ``count`` bands, light to dark."""
    if count == 2:
        return (PALETTE[0], PALETTE[3])
    return tuple(PALETTE[min(k, len(PALETTE) - 1)] for k in range(count))


def _reach_km(geo: Geography) -> list[float]:
    """Without an outline, how far each area's cell shows: 1.5 x the mean distance to its two
    nearest neighbours, from 3 to 12 km, so the map covers the ground between areas."""
    from scipy.spatial import cKDTree

    if len(geo.areas) < 2:
        return [2.5] * len(geo.areas)
    kx = 111.32 * math.cos(math.radians(sum(a.lat for a in geo.areas) / len(geo.areas)))
    pts = [(a.lon * kx, a.lat * 110.574) for a in geo.areas]
    dist, _ = cKDTree(pts).query(pts, k=min(3, len(pts)))
    return [min(12.0, max(3.0, 1.5 * float(row[1:].mean()))) for row in dist]


def _frame(geo: Geography, width: int, pad_km: float) -> tuple[MapFrame, float]:
    if geo.outline is not None:
        pts = [p for ring in geo.outline.county.rings() for p in ring]
    else:
        pts = [(a.lat, a.lon) for a in geo.areas]
    lat_min, lat_max = min(p[0] for p in pts), max(p[0] for p in pts)
    lon_min, lon_max = min(p[1] for p in pts), max(p[1] for p in pts)
    kx = math.cos(math.radians((lat_min + lat_max) / 2))
    # Padding so that cells at the edge are not flush with the frame.
    dlat, dlon = pad_km / 110.574, pad_km / (111.32 * kx)
    lat_min, lat_max, lon_min, lon_max = (
        lat_min - dlat,
        lat_max + dlat,
        lon_min - dlon,
        lon_max + dlon,
    )
    scale = (width - 2 * MARGIN) / ((lon_max - lon_min) * kx)
    return MapFrame(lat_max, lon_min, kx, scale), (lat_max - lat_min) * scale + 2 * MARGIN


def _voronoi(
    points: Sequence[Point], span: float
) -> tuple[list[list[Point]], list[tuple[int, int, Point, Point]]]:
    """Cells (convex polygons) of the points and the ridges between pairs of real points."""
    from scipy.spatial import Voronoi

    cx = sum(p[0] for p in points) / len(points)
    cy = sum(p[1] for p in points) / len(points)
    # Far-off frame points make every real cell finite.
    frame = [
        (
            cx + 4 * span * math.cos(2 * math.pi * k / 16),
            cy + 4 * span * math.sin(2 * math.pi * k / 16),
        )
        for k in range(16)
    ]
    seen: dict[Point, int] = {}
    nudged = []
    for x, y in points:  # coincident areas would share one cell; nudge them apart a hair
        n = seen.get((x, y), 0)
        seen[(x, y)] = n + 1
        nudged.append((x + 0.01 * n, y + 0.01 * n))
    vor = Voronoi(nudged + frame)
    cells = []
    for k, (x, y) in enumerate(nudged):
        region = vor.regions[vor.point_region[k]]
        verts = [(float(vor.vertices[v][0]), float(vor.vertices[v][1])) for v in region]
        verts.sort(key=lambda v: math.atan2(v[1] - y, v[0] - x))
        cells.append(verts)
    ridges = []
    n = len(points)
    for (i, j), (va, vb) in zip(vor.ridge_points.tolist(), vor.ridge_vertices, strict=True):
        if i < n and j < n and va >= 0 and vb >= 0:
            a = (float(vor.vertices[va][0]), float(vor.vertices[va][1]))
            b = (float(vor.vertices[vb][0]), float(vor.vertices[vb][1]))
            ridges.append((min(i, j), max(i, j), a, b))
    ridges.sort()
    return cells, ridges


def _patterns(uid: str, colours: Sequence[str]) -> list[str]:
    out = []
    for rank, colour in enumerate(colours):
        if rank < 2:
            continue
        gap = 7 if rank == 2 else 4
        lines = (
            f'<path d="M0,{gap}L{gap},0" stroke="#ffffff" stroke-opacity="0.55" stroke-width="1"/>'
        )
        if rank >= 3:
            lines += (
                f'<path d="M0,0L{gap},{gap}" stroke="#ffffff" stroke-opacity="0.55" '
                'stroke-width="1"/>'
            )
        out.append(
            f'<pattern id="{uid}-hatch{rank}" width="{gap}" height="{gap}" '
            f'patternUnits="userSpaceOnUse"><rect width="{gap}" height="{gap}" fill="{colour}"/>'
            f"{lines}</pattern>"
        )
    return out


def _fill(uid: str, rank: int, colours: Sequence[str]) -> str:
    return f"url(#{uid}-hatch{rank})" if rank >= 2 else colours[rank]


def _clip(
    geo: Geography, fr: MapFrame, points: Sequence[Point], reach: Sequence[float], uid: str
) -> tuple[str, str]:
    """The clip path element and the outline to stroke ('' without an outline)."""
    if geo.outline is not None:
        d = "".join(_path([fr.xy(*p) for p in ring]) for ring in geo.outline.county.rings())
        clip = f'<clipPath id="{uid}-clip"><path d="{d}" clip-rule="evenodd"/></clipPath>'
        return (
            clip,
            f'<path d="{d}" fill="none" fill-rule="evenodd" stroke="{INK}" stroke-width="2"/>',
        )
    km = fr.scale / 110.574  # pixels per km
    circles = "".join(
        f'<circle cx="{px(x)}" cy="{px(y)}" r="{px(r * km)}"/>'
        for (x, y), r in zip(points, reach, strict=True)
    )
    return f'<clipPath id="{uid}-clip">{circles}</clipPath>', ""


def _labels(
    geo: Geography, points: Sequence[Point], width: int, highlight: str | None
) -> list[str]:
    """Zone names, each at a member area near the zone's middle where it overlaps no other."""
    index = {a.code: k for k, a in enumerate(geo.areas)}
    placed: list[tuple[float, float, float, float]] = []
    out = []
    for zone in geo.zones:
        members = [points[index[a.code]] for a in geo.areas_in_zone(zone.code)]
        if not members:
            continue
        mx = sum(p[0] for p in members) / len(members)
        my = sum(p[1] for p in members) / len(members)
        half_w, half_h = 3.6 * len(zone.name) + 2, 9.0
        best = None
        for x, y in sorted(members, key=lambda p: ((p[0] - mx) ** 2 + (p[1] - my) ** 2, p)):
            x = min(max(x, half_w), width - half_w)
            box = (x - half_w, y - half_h, x + half_w, y + half_h)
            if not any(
                box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed
            ):
                best = (x, y, box)
                break
        if best is None:  # crowded: fall back to the middle-most member
            x, y = min(members, key=lambda p: ((p[0] - mx) ** 2 + (p[1] - my) ** 2, p))
            x = min(max(x, half_w), width - half_w)
            best = (x, y, (x - half_w, y - half_h, x + half_w, y + half_h))
        x, y, box = best
        placed.append(box)
        weight = "bold" if highlight in (None, zone.code) else "normal"
        out.append(
            f'<text x="{px(x)}" y="{px(y)}" text-anchor="middle" dominant-baseline="middle" '
            f'font-weight="{weight}">{escape(zone.name)}</text>'
        )
    return out


def _scale_bar(fr: MapFrame, width: int, top: float) -> str:
    """A 10 km scale bar at the right of the legend."""
    km = fr.scale / 110.574  # pixels per km north-south; east-west is the same after scaling
    length = 10 * km
    x0 = width - MARGIN - length
    y = top + 30
    return (
        f'<g font-size="14"><path d="M{px(x0)},{px(y - 5)}V{px(y)}H{px(x0 + length)}'
        f'V{px(y - 5)}" fill="none" stroke="{INK}" stroke-width="2"/>'
        f'<text x="{px(x0 + length / 2)}" y="{px(y - 10)}" text-anchor="middle">'
        "10 km</text></g>"
    )


def _legend(
    geo: Geography, colours: Sequence[str], uid: str, top: float, highlight: str | None
) -> list[str]:
    counts = {b.code: 0 for b in geo.scheme.bands}
    for code in geo.band_of.values():
        counts[code] += 1
    out = [f'<g transform="translate({MARGIN},{px(top)})" font-size="14">']
    out.append(f'<text x="0" y="14" font-weight="bold">{escape(geo.scheme.name)}</text>')
    for k, band in enumerate(geo.scheme.bands):
        y = 22 + k * LEGEND_ROW
        out.append(
            f'<rect x="0" y="{y}" width="20" height="20" fill="{_fill(uid, band.rank, colours)}" '
            f'stroke="{INK}" stroke-width="1"/>'
            f'<text x="28" y="{y + 15}">{escape(band.name)} ({counts[band.code]} areas)</text>'
        )
    y = 22 + len(geo.scheme.bands) * LEGEND_ROW
    out.append(
        f'<path d="M0,{y + 10}H20" stroke="#ffffff" stroke-width="5"/>'
        f'<path d="M0,{y + 10}H20" stroke="{INK}" stroke-width="2.5"/>'
        f'<text x="28" y="{y + 15}">Zone boundary ({len(geo.zones)} zones)</text>'
    )
    if highlight is not None:
        y += LEGEND_ROW
        out.append(
            f'<path d="M0,{y + 10}H20" stroke="#ffdd00" stroke-width="7"/>'
            f'<path d="M0,{y + 10}H20" stroke="{INK}" stroke-width="3"/>'
            f'<text x="28" y="{y + 15}">{escape(geo.zone(highlight).name)} (highlighted)</text>'
        )
    out.append("</g>")
    return out


def render_svg_map(geo: Geography, *, width: int = 800, highlight_zone: str | None = None) -> str:
    """An accessible SVG map of ``geo`` (``width`` in pixels), optionally highlighting a zone.

    Every area is one ``<path>`` with ``data-area``, ``data-zone`` and ``data-band`` attributes
    and a ``<title>`` naming the area, its zone and its band.
    """
    if width < 200:
        raise InputError("the map must be at least 200 pixels wide", key="width")
    if highlight_zone is not None:
        geo.zone(highlight_zone)  # raises InputError naming an unknown zone
    reach = _reach_km(geo) if geo.outline is None else []
    fr, map_height = _frame(geo, width, max(reach, default=2.2))
    points = [fr.xy(a.lat, a.lon) for a in geo.areas]
    uid = (
        "gm-"
        + hashlib.sha256(
            f"{geo.source}|{len(geo.areas)}|{width}|{highlight_zone}".encode()
        ).hexdigest()[:8]
    )
    colours = band_colours(len(geo.scheme.bands))
    legend_rows = len(geo.scheme.bands) + 2 + (highlight_zone is not None)
    height = map_height + legend_rows * LEGEND_ROW + MARGIN
    counts = {b.code: 0 for b in geo.scheme.bands}
    for code in geo.band_of.values():
        counts[code] += 1
    described = ", ".join(f"{b.name} {counts[b.code]}" for b in geo.scheme.bands)
    desc = (
        f"Map of {len(geo.areas)} areas in {len(geo.zones)} zones. Each area is a cell coloured "
        f"by its price band (areas per band: {described}); thick lines separate zones."
    )
    if highlight_zone is not None:
        desc += f" The zone {geo.zone(highlight_zone).name} is highlighted; others are faded."
    title = f"Zones and price bands: {geo.scheme.name}"
    cells, ridges = _voronoi(points, max(width, height))
    clip, outline = _clip(geo, fr, points, reach, uid)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{px(height)}" '
        f'viewBox="0 0 {width} {px(height)}" role="img" aria-labelledby="{uid}-title {uid}-desc" '
        f'font-family="{FONT}" fill="{INK}">',
        f'<title id="{uid}-title">{escape(title)}</title>',
        f'<desc id="{uid}-desc">{escape(desc)}</desc>',
        "<defs>",
        clip,
        *_patterns(uid, colours),
        "</defs>",
        f'<rect width="{width}" height="{px(height)}" fill="#ffffff"/>',
        f'<g clip-path="url(#{uid}-clip)">',
        '<g stroke="#ffffff" stroke-width="0.6" stroke-linejoin="round">',
    ]
    for area, cell in zip(geo.areas, cells, strict=True):
        zone = geo.zone_of_area(area.code)
        band = geo.band_of_area(area.code)
        faded = highlight_zone is not None and zone.code != highlight_zone
        opacity = ' fill-opacity="0.3"' if faded else ""
        out.append(
            f'<path d="{_path(cell)}" fill="{_fill(uid, band.rank, colours)}"{opacity} '
            f'data-area="{escape(area.code)}" data-zone="{escape(zone.code)}" '
            f'data-band="{escape(band.code)}"><title>{escape(area.name)} ({escape(area.code)}): '
            f"zone {escape(zone.name)}, band {escape(band.name)}</title></path>"
        )
    out.append("</g>")
    zone_codes = [geo.zone_of[a.code] for a in geo.areas]
    borders = [(a, b) for i, j, a, b in ridges if zone_codes[i] != zone_codes[j]]
    lit = [
        (a, b)
        for i, j, a, b in ridges
        if zone_codes[i] != zone_codes[j] and highlight_zone in (zone_codes[i], zone_codes[j])
    ]
    d = "".join(f"M{px(a[0])},{px(a[1])}L{px(b[0])},{px(b[1])}" for a, b in borders)
    out.append(
        f'<g fill="none" stroke-linecap="round"><path d="{d}" stroke="#ffffff" stroke-width="5"/>'
        f'<path d="{d}" stroke="{INK}" stroke-width="2.5"/>'
    )
    if lit:
        d = "".join(f"M{px(a[0])},{px(a[1])}L{px(b[0])},{px(b[1])}" for a, b in lit)
        out.append(
            f'<path d="{d}" stroke="#ffdd00" stroke-width="7"/>'
            f'<path d="{d}" stroke="{INK}" stroke-width="3"/>'
        )
    out.append("</g></g>")
    if outline:
        out.append(outline)
    out.append(
        '<g font-size="13" stroke="#ffffff" stroke-width="3.5" stroke-linejoin="round" '
        'paint-order="stroke">'
    )
    out.extend(_labels(geo, points, width, highlight_zone))
    out.append("</g>")
    out.extend(_legend(geo, colours, uid, map_height + 4, highlight_zone))
    out.append(_scale_bar(fr, width, map_height + 4))
    out.append("</svg>")
    return "\n".join(out) + "\n"
