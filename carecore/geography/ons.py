"""A council's own area file in ONS style (one row per LSOA), and how bands compare with ONS.

The columns are those of the ONS LSOA 2021 lookups: ``lsoa21_code``, ``lsoa21_name``,
``ltla24_name`` (district), ``pwc_lat`` and ``pwc_lon`` (population-weighted centroid, WGS84
degrees), ``pop65_census2021`` (residents aged 65+) and, optionally, ``ruc21_code`` (ONS 2021
rural-urban class). Other columns are ignored.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from carecore.errors import InputError
from carecore.geography.model import Area, Geography

REQUIRED_COLUMNS: tuple[str, ...] = (
    "lsoa21_code",
    "lsoa21_name",
    "ltla24_name",
    "pwc_lat",
    "pwc_lon",
    "pop65_census2021",
)
RUC_COLUMN = "ruc21_code"
ONS_URBAN_PREFIX = "U"  # UN1, UF1 are urban; RLN1, RLF1, RSN1, RSF1 rural
ONS_CLASS_ORDER = ("UN1", "UF1", "RLN1", "RLF1", "RSN1", "RSF1")


def _number(text: str, *, source: Path, row: int, key: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise InputError(
            f"expected a number, got {text!r}", source=source, row=row, key=key
        ) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise InputError(f"expected a number, got {text!r}", source=source, row=row, key=key)
    return value


def _count(text: str, *, source: Path, row: int, key: str) -> int:
    value = _number(text, source=source, row=row, key=key)
    if value < 0 or value != int(value):
        raise InputError(
            f"expected a whole number of people, got {text!r}", source=source, row=row, key=key
        )
    return int(value)


def load_ons_areas(path: str | Path) -> list[Area]:
    """Read an ONS-style LSOA file into areas, in file order.

    Rows are numbered as in a spreadsheet (the header is row 1). Raises InputError naming the
    file, row and column for a missing column, a bad number, a coordinate out of range, a
    repeated code or a file with no rows.
    """
    source = Path(path)
    with source.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames
        if not header:
            raise InputError("the file is empty (no header row)", source=source, row=1)
        columns = [c.strip() for c in header]
        for column in REQUIRED_COLUMNS:
            if column not in columns:
                raise InputError("missing column", source=source, row=1, key=column)
        reader.fieldnames = columns
        has_ruc = RUC_COLUMN in columns
        areas: list[Area] = []
        first_row: dict[str, int] = {}
        for row_number, record in enumerate(reader, start=2):
            areas.append(_area(record, source=source, row=row_number, has_ruc=has_ruc))
            code = areas[-1].code
            if code in first_row:
                raise InputError(
                    f"code {code} repeats row {first_row[code]}",
                    source=source,
                    row=row_number,
                    key="lsoa21_code",
                )
            first_row[code] = row_number
    if not areas:
        raise InputError("the file has a header but no rows of areas", source=source, row=2)
    return areas


def _area(record: dict[str, str | None], *, source: Path, row: int, has_ruc: bool) -> Area:
    def cell(key: str) -> str:
        value = record.get(key)
        if value is None or not value.strip():
            raise InputError("empty cell", source=source, row=row, key=key)
        return value.strip()

    lat = _number(cell("pwc_lat"), source=source, row=row, key="pwc_lat")
    lon = _number(cell("pwc_lon"), source=source, row=row, key="pwc_lon")
    if not -90 <= lat <= 90:
        raise InputError(f"latitude {lat} is out of range", source=source, row=row, key="pwc_lat")
    if not -180 <= lon <= 180:
        raise InputError(f"longitude {lon} is out of range", source=source, row=row, key="pwc_lon")
    ruc = (record.get(RUC_COLUMN) or "").strip() if has_ruc else ""
    return Area(
        code=cell("lsoa21_code"),
        name=cell("lsoa21_name"),
        lat=lat,
        lon=lon,
        population_65_plus=_count(
            cell("pop65_census2021"), source=source, row=row, key="pop65_census2021"
        ),
        district=cell("ltla24_name"),
        ons_rural_urban=ruc or None,
    )


@dataclass(frozen=True)
class OnsComparison:
    """Bands against the ONS 2021 rural-urban classes, over areas whose class is known.

    ``counts[band_code][ruc_code]`` counts areas; ``urban_agreement`` is the share of ONS-urban
    areas (U*) banded in the scheme's lower half (Urban/Fringe); ``rural_agreement`` the share of
    ONS-rural areas (R*) in the upper half (Rural/Isolated). Shares are fractions in [0, 1].
    """

    bands: tuple[str, ...]
    classes: tuple[str, ...]
    counts: dict[str, dict[str, int]]
    urban_agreement: float
    rural_agreement: float
    areas_compared: int

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON: the cross-tab rows and the two agreement shares."""
        return {
            "bands": list(self.bands),
            "classes": list(self.classes),
            "rows": self.rows(),
            "urban_agreement": self.urban_agreement,
            "rural_agreement": self.rural_agreement,
            "areas_compared": self.areas_compared,
        }

    def rows(self) -> list[dict[str, object]]:
        """The cross-tab as rows: band, a count per ONS class, and the band's total."""
        return [
            {"band": b, **self.counts[b], "total": sum(self.counts[b].values())} for b in self.bands
        ]


def compare_with_ons(geo: Geography) -> OnsComparison:
    """Cross-tabulate band x ONS rural-urban class, with the two agreement shares."""
    bands = geo.scheme.codes
    known = [a for a in geo.areas if a.ons_rural_urban]
    present = {a.ons_rural_urban for a in known if a.ons_rural_urban}
    classes = tuple(c for c in ONS_CLASS_ORDER if c in present) + tuple(
        sorted(present - set(ONS_CLASS_ORDER))
    )
    counts = {b: dict.fromkeys(classes, 0) for b in bands}
    low_half = set(bands[: (len(bands) + 1) // 2])
    urban_total = urban_low = rural_total = rural_high = 0
    for area in known:
        band = geo.band_of[area.code]
        ruc = area.ons_rural_urban or ""
        counts[band][ruc] += 1
        if ruc.startswith(ONS_URBAN_PREFIX):
            urban_total += 1
            urban_low += band in low_half
        else:
            rural_total += 1
            rural_high += band not in low_half
    return OnsComparison(
        bands=bands,
        classes=classes,
        counts=counts,
        urban_agreement=urban_low / urban_total if urban_total else 0.0,
        rural_agreement=rural_high / rural_total if rural_total else 0.0,
        areas_compared=len(known),
    )
