"""`homecare zones`: the zones and price bands, as a table, JSON or an SVG map."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from homecare.commands._common import emit_json, run, stderr_is_terminal

if TYPE_CHECKING:
    from carecore.geography import Geography

AREAS_HELP = "An ONS-style area file (lsoa21_code, pwc_lat, pwc_lon, ...) instead of the default."
ZONES_HELP = "A zones definition (TOML) instead of the embedded Leicestershire one."


def _load(areas: Path | None, zones: Path | None) -> Geography:
    from carecore.geography import (
        assign_geography,
        default_geography,
        load_ons_areas,
        load_zones_definition,
    )
    from carecore.geography.default import default_areas, default_definition

    if areas is None and zones is None:
        return default_geography()
    definition = load_zones_definition(zones) if zones is not None else default_definition()
    if areas is None:
        return assign_geography(default_areas(definition), definition)
    geo = assign_geography(load_ons_areas(areas), definition)
    return dataclasses.replace(geo, source=f"{areas} with the zones of {definition.name}")


def _payload(geo: Geography) -> dict[str, Any]:
    from carecore.geography import zones_summary

    counts = {code: 0 for code in geo.scheme.codes}
    for code in geo.band_of.values():
        counts[code] += 1
    return {
        "scheme": geo.scheme.name,
        "source": geo.source,
        "areas": len(geo.areas),
        "bands": [
            {"code": b.code, "name": b.name, "rank": b.rank, "areas": counts[b.code]}
            for b in geo.scheme.bands
        ],
        "zones": zones_summary(geo),
    }


def _print_table(payload: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    bands = payload["bands"]
    table = Table(
        title=f"{payload['scheme']}: {payload['areas']} areas in {len(payload['zones'])} zones"
    )
    table.add_column("Zone", no_wrap=True)
    table.add_column("Kind")
    table.add_column("Prime")
    table.add_column("Areas", justify="right")
    for band in bands:
        table.add_column(band["name"], justify="right")
    table.add_column("Aged 65+", justify="right")
    for zone in payload["zones"]:
        table.add_row(
            zone["name"],
            zone["kind"].replace("_", " "),
            "yes" if zone["has_prime"] else "no",
            str(zone["areas"]),
            *(str(zone["areas_by_band"][b["code"]]) for b in bands),
            f"{zone['population_65_plus']:,}",
        )
    table.add_section()
    table.add_row(
        "All zones",
        "",
        "",
        str(payload["areas"]),
        *(str(b["areas"]) for b in bands),
        f"{sum(z['population_65_plus'] for z in payload['zones']):,}",
    )
    console = Console()
    if not console.is_terminal:  # piped or captured: wide enough for the table, not 80 columns
        console = Console(width=120)
    console.print(table)


def _zones(areas: Path | None, zones: Path | None, as_json: bool, map_file: Path | None) -> None:
    if stderr_is_terminal():
        from rich.console import Console

        with Console(stderr=True).status("Placing areas in zones and bands…"):
            geo = _load(areas, zones)
    else:
        geo = _load(areas, zones)
    payload = _payload(geo)
    if as_json:
        emit_json(payload)
    else:
        _print_table(payload)
    if map_file is not None:
        from carecore.geography import render_svg_map

        map_file.write_text(render_svg_map(geo), encoding="utf-8")
        # Keep standard output pure JSON when --json is given.
        typer.echo(f"Map written to {map_file}", err=as_json)


def register(app: typer.Typer) -> None:
    """Add `homecare zones`."""

    @app.command("zones", help="Show zones and price bands: a table, --json, or an SVG --map.")
    def zones(
        areas: Annotated[
            Path | None, typer.Option("--areas", metavar="FILE.csv", help=AREAS_HELP)
        ] = None,
        zones: Annotated[
            Path | None, typer.Option("--zones", metavar="FILE.toml", help=ZONES_HELP)
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON, not a table.")] = False,
        map_file: Annotated[
            Path | None, typer.Option("--map", metavar="FILE.svg", help="Also write an SVG map.")
        ] = None,
    ) -> None:
        run(lambda: _zones(areas, zones, as_json, map_file))
