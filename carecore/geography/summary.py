"""Per-zone summaries of a geography, for tables, JSON and web pages."""

from __future__ import annotations

from carecore.geography.model import Geography


def zones_summary(geo: Geography) -> list[dict[str, object]]:
    """One dict per zone, in the definition's order.

    Keys: code, name, kind, has_prime, towns (list), areas (count), areas_by_band
    ({band code: count}, every band of the scheme, zero when none), population_65_plus
    (people aged 65+, summed over the zone's areas).
    """
    rows = []
    for zone in geo.zones:
        members = geo.areas_in_zone(zone.code)
        by_band = dict.fromkeys(geo.scheme.codes, 0)
        for area in members:
            by_band[geo.band_of[area.code]] += 1
        rows.append(
            {
                "code": zone.code,
                "name": zone.name,
                "kind": zone.kind,
                "has_prime": zone.has_prime,
                "towns": list(zone.towns),
                "areas": len(members),
                "areas_by_band": by_band,
                "population_65_plus": sum(a.population_65_plus for a in members),
            }
        )
    return rows
