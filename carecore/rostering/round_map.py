"""An SVG map of one day's rounds in a zone: each carer's way from home, through the visits
and back, drawn over the zone's places.

No internet tiles, like the zones map (:mod:`carecore.geography.svgmap`): the projection is
equirectangular with longitude scaled by cos(latitude), which is true to within a hair over a
county. A round is one ``<path>`` (``class="round"``); a carer's colour is never the only cue
(the legend pairs each colour with a dash pattern and the carer's name, and the page gives the
same rounds as a table). Output depends only on the arguments.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from itertools import pairwise

from carecore.errors import InputError
from carecore.geography.model import Geography
from carecore.geography.svgmap import FONT, INK, MARGIN, MapFrame, px
from carecore.rostering.calibrate import DayRounds, RoundPath

# Dark enough to keep 3:1 contrast against white (WCAG 1.4.11), few enough to tell apart
# (a leaf green and a brown were too like the green and the orange), and told apart further
# by the dash pattern, which changes once the colours run out.
ROUND_COLOURS: tuple[str, ...] = (
    "#0072B2",
    "#B35806",
    "#007A5E",
    "#A1407D",
    "#0B0C0C",
    "#6A3D9A",
    "#B2182B",
    "#5A5A5A",
)
COLOUR_NAMES = (
    "blue",
    "orange",
    "green",
    "purple-pink",
    "black",
    "violet",
    "red",
    "grey",
)
DASHES: tuple[str, ...] = ("", "9 4", "3 3", "12 3 3 3")
DASH_NAMES = ("solid", "dashed", "dotted", "dash and dot")
PLACE_INK = "#505a5f"  # GOV.UK secondary text: faint beside the rounds, still readable
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
KM_PER_DEGREE_LAT = 110.574
KM_PER_DEGREE_LON_EQUATOR = 111.32
LEGEND_ROW = 22
LEGEND_LIMIT = 20
PAD_KM = 0.8

LatLon = tuple[float, float]


def pixels_per_km(frame: MapFrame) -> float:
    return frame.scale / KM_PER_DEGREE_LAT


@dataclass(frozen=True)
class _Round:
    label: str
    path: RoundPath


def round_style(index: int) -> tuple[str, str]:
    """The colour and dash pattern (SVG ``stroke-dasharray``, '' for solid) of round ``index``."""
    colour = ROUND_COLOURS[index % len(ROUND_COLOURS)]
    dash = DASHES[(index // len(ROUND_COLOURS)) % len(DASHES)]
    return colour, dash


def round_style_words(index: int) -> str:
    """Round ``index``'s line in words, for a table beside the map: "blue, dashed"."""
    colour = COLOUR_NAMES[index % len(COLOUR_NAMES)]
    return f"{colour}, {DASH_NAMES[(index // len(ROUND_COLOURS)) % len(DASHES)]}"


def round_km(path: RoundPath) -> float:
    """Straight-line kilometres of a round: home, each stop, home again (not road distance)."""
    points = [path.home, *path.stops, path.home]
    return sum(_km(a, b) for a, b in pairwise(points))


def _km(a: LatLon, b: LatLon) -> float:
    kx = math.cos(math.radians((a[0] + b[0]) / 2))
    north = (a[0] - b[0]) * KM_PER_DEGREE_LAT
    east = (a[1] - b[1]) * KM_PER_DEGREE_LON_EQUATOR * kx
    return math.hypot(north, east)


def _frame(points: Sequence[LatLon], width: int) -> tuple[MapFrame, float]:
    lat_min, lat_max = min(p[0] for p in points), max(p[0] for p in points)
    lon_min, lon_max = min(p[1] for p in points), max(p[1] for p in points)
    kx = math.cos(math.radians((lat_min + lat_max) / 2))
    dlat = PAD_KM / KM_PER_DEGREE_LAT
    dlon = PAD_KM / (KM_PER_DEGREE_LON_EQUATOR * kx)
    lat_max, lon_min = lat_max + dlat, lon_min - dlon
    span_x = (lon_max + dlon - lon_min) * kx
    span_y = lat_max - (lat_min - dlat)
    # A tall, narrow zone must not make a map taller than it is wide.
    scale = min((width - 2 * MARGIN) / span_x, (width - 2 * MARGIN) / span_y)
    return MapFrame(lat_max, lon_min, kx, scale), span_y * scale + 2 * MARGIN


def _rounds(day_rounds: Iterable[DayRounds], zone_code: str | None) -> list[_Round]:
    chosen = [d for d in day_rounds if zone_code is None or d.zone == zone_code]
    providers = {d.provider for d in chosen}
    out = []
    for d in sorted(chosen, key=lambda d: (d.provider, d.zone, d.day)):
        for path in d.paths:
            label = path.carer if len(providers) == 1 else f"{d.provider}: {path.carer}"
            out.append(_Round(label, path))
    return out


def _scale_bar(fr: MapFrame, width: int, y: float) -> str:
    km = 1 if pixels_per_km(fr) * 5 > width / 3 else 5
    length = km * pixels_per_km(fr)
    x0 = width - MARGIN - length
    return (
        f'<g font-size="13"><path d="M{px(x0)},{px(y - 5)}V{px(y)}H{px(x0 + length)}'
        f'V{px(y - 5)}" fill="none" stroke="{INK}" stroke-width="2"/>'
        f'<text x="{px(x0 + length / 2)}" y="{px(y - 9)}" text-anchor="middle">{km} km</text>'
        "</g>"
    )


def _places(
    geography: Geography | None, zone_code: str | None, fr: MapFrame
) -> tuple[list[str], list[str]]:
    """The zone's places: faint dots to go behind the rounds, and names (with a white halo,
    so lines never make them unreadable) to go in front."""
    if geography is None or zone_code is None:
        return [], []
    dots = [f'<g fill="{PLACE_INK}" fill-opacity="0.5" class="place-dots">']
    names = [
        f'<g fill="{PLACE_INK}" font-size="11" class="places" stroke="#ffffff" '
        'stroke-width="3" stroke-linejoin="round" paint-order="stroke">'
    ]
    for area in geography.areas_in_zone(zone_code):
        x, y = fr.xy(area.lat, area.lon)
        dots.append(f'<circle cx="{px(x)}" cy="{px(y)}" r="2.5"/>')
        names.append(f'<text x="{px(x + 5)}" y="{px(y - 4)}">{escape(area.name)}</text>')
    return [*dots, "</g>"], [*names, "</g>"]


def _round_marks(rounds: Sequence[_Round], fr: MapFrame) -> list[str]:
    lines, marks = ['<g fill="none" stroke-width="2.5" stroke-linejoin="round">'], ["<g>"]
    for k, r in enumerate(rounds):
        colour, dash = round_style(k)
        pts = [fr.xy(*p) for p in (r.path.home, *r.path.stops, r.path.home)]
        d = "M" + "L".join(f"{px(x)},{px(y)}" for x, y in pts)
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        lines.append(
            f'<path class="round" d="{d}" stroke="{colour}"{dashed} '
            f'data-carer="{escape(r.label)}" data-visits="{len(r.path.stops)}">'
            f"<title>{escape(r.label)}: {len(r.path.stops)} visits</title></path>"
        )
        hx, hy = fr.xy(*r.path.home)
        marks.append(
            f'<rect class="home" x="{px(hx - 5)}" y="{px(hy - 5)}" width="10" height="10" '
            f'fill="{colour}" stroke="#ffffff" stroke-width="1.5"/>'
        )
        for stop in r.path.stops:
            sx, sy = fr.xy(*stop)
            marks.append(
                f'<circle class="visit" cx="{px(sx)}" cy="{px(sy)}" r="4" fill="{colour}" '
                'stroke="#ffffff" stroke-width="1.5"/>'
            )
    return [*lines, "</g>", *marks, "</g>"]


def _legend(rounds: Sequence[_Round], top: float, width: int) -> tuple[list[str], float]:
    # A legend of a hundred lines helps nobody: past LEGEND_LIMIT it says how many more.
    listed = rounds[:LEGEND_LIMIT]
    columns = 2 if width >= 560 and len(listed) > 4 else 1
    per_column = math.ceil(len(listed) / columns)
    out = [f'<g transform="translate({MARGIN},{px(top)})" font-size="13">']
    out.append(
        f'<rect x="0" y="2" width="10" height="10" fill="{INK}"/>'
        '<text x="16" y="12">Carer\'s home (start and end)</text>'
        f'<circle cx="{px((width - 2 * MARGIN) / 2 + 5)}" cy="7" r="4" fill="{INK}"/>'
        f'<text x="{px((width - 2 * MARGIN) / 2 + 16)}" y="12">A visit</text>'
    )
    column_width = (width - 2 * MARGIN) / columns
    for k, r in enumerate(listed):
        colour, dash = round_style(k)
        x = (k // per_column) * column_width
        y = LEGEND_ROW * (1 + k % per_column)
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<path d="M{px(x)},{y + 7}H{px(x + 28)}" stroke="{colour}" stroke-width="3"'
            f"{dashed}/>"
            f'<text x="{px(x + 36)}" y="{y + 12}">{escape(r.label)} '
            f"({len(r.path.stops)} visit{'' if len(r.path.stops) == 1 else 's'})</text>"
        )
    rows = 1 + per_column
    if len(rounds) > len(listed):
        rows += 1
        out.append(
            f'<text x="0" y="{LEGEND_ROW * (rows - 1) + 12}">and {len(rounds) - len(listed)} '
            "more rounds, each in one of the same colours with another dash pattern</text>"
        )
    out.append("</g>")
    return out, LEGEND_ROW * rows + 8


def render_rounds_svg(
    day_rounds: Iterable[DayRounds],
    *,
    geography: Geography | None = None,
    zone_code: str | None = None,
    title: str,
    width: int = 720,
) -> str:
    """An accessible SVG (``width`` pixels) of the rounds in ``zone_code`` (every zone given
    when None): one ``<path class="round">`` per carer's round, from home (a square) through
    each visit (a circle) and back. With ``geography``, the zone's places are drawn faintly
    behind. Raises InputError when there is no round to draw.
    """
    if width < 300:
        raise InputError("the map must be at least 300 pixels wide", key="width")
    rounds = _rounds(day_rounds, zone_code)
    if not rounds:
        raise InputError("there are no rounds to draw", key="zone")
    points: list[LatLon] = [p for r in rounds for p in (r.path.home, *r.path.stops)]
    if geography is not None and zone_code is not None:
        points += [(a.lat, a.lon) for a in geography.areas_in_zone(zone_code)]
    fr, map_height = _frame(points, width)
    dots, names = _places(geography, zone_code, fr)
    legend, legend_height = _legend(rounds, map_height + 8, width)
    height = map_height + 8 + legend_height
    uid = "rm-" + hashlib.sha256(f"{title}|{zone_code}|{len(rounds)}".encode()).hexdigest()[:8]
    visits = sum(len(r.path.stops) for r in rounds)
    km = sum(round_km(r.path) for r in rounds)
    desc = (
        f"{len(rounds)} carers' rounds with {visits} visits in all, about {km:,.0f} km in "
        "straight lines. Each round is a line from the carer's home (a square) through each "
        "visit in order (circles) and back home. "
        + " ".join(
            f"{r.label}: {len(r.path.stops)} visits, {round_km(r.path):,.1f} km." for r in rounds
        )
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{px(height)}" '
        f'viewBox="0 0 {width} {px(height)}" role="img" aria-labelledby="{uid}-title {uid}-desc" '
        f'font-family="{FONT}" fill="{INK}">',
        f'<title id="{uid}-title">{escape(title)}</title>',
        f'<desc id="{uid}-desc">{escape(desc)}</desc>',
        f'<rect width="{width}" height="{px(height)}" fill="#ffffff"/>',
        f'<rect x="1" y="1" width="{width - 2}" height="{px(map_height - 2)}" fill="none" '
        'stroke="#b1b4b6"/>',
        *dots,
        *_round_marks(rounds, fr),
        *names,
        _scale_bar(fr, width, map_height - 10),
        *legend,
        "</svg>",
    ]
    return "\n".join(out) + "\n"
