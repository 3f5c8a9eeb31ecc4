"""What carers' rounds add up to, per zone and per pricing band, in the units pricing uses.

A cost-of-care model prices travel as *minutes per contact hour* and mileage as *miles per
contact hour* (docs/cost-of-care.md). Solved rounds give totals: contact minutes, travel
minutes, metres driven, minutes waiting between visits. :class:`RoundTotals` holds those
totals for one zone of one band and turns them into the model's per-contact-hour figures.

Paid time is contact + travel + waiting: under the minimum-wage rules travel and waiting
between visits are working time (HMRC's approach in social care), so a carer's paid time is
the sum of the three whatever the provider pays for. Figures are ``Decimal``; a division
that does not terminate (20 minutes over 45) is carried to the default 28 significant digits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from carecore.errors import InputError
from carecore.units import MINUTES_PER_HOUR

#: Metres in an international mile (exact by definition).
METRES_PER_MILE = Decimal("1609.344")

_COUNTS = (
    "visits",
    "contact_minutes",
    "travel_minutes",
    "travel_metres",
    "waiting_minutes",
    "rounds",
)


@dataclass(frozen=True)
class RoundTotals:
    """Totals of the rounds in one zone of one band over whatever period the caller chose
    (a day or a week of rounds): whole visits, minutes, metres and rounds, all non-negative.

    ``travel_*`` is driving between visits as the rounds measure it; ``waiting_minutes`` is
    time between arriving early and a visit's window opening.
    """

    zone: str
    band: str
    visits: int
    contact_minutes: int
    travel_minutes: int
    travel_metres: int
    waiting_minutes: int
    rounds: int

    def __post_init__(self) -> None:
        for key in ("zone", "band"):
            text = getattr(self, key)
            if not isinstance(text, str) or not text.strip():
                raise InputError(f"expected a name, got {text!r}", key=key)
        for key in _COUNTS:
            value = getattr(self, key)
            # bool is an int in Python, and a float of minutes would hide a unit mistake.
            if isinstance(value, bool) or not isinstance(value, int):
                raise InputError(f"expected a whole number, got {value!r}", key=key)
            if value < 0:
                raise InputError(f"cannot be negative, got {value}", key=key)

    @property
    def contact_hours(self) -> Decimal:
        """Hours spent with people (contact minutes / 60)."""
        return Decimal(self.contact_minutes) / MINUTES_PER_HOUR

    @property
    def travel_miles(self) -> Decimal:
        """Miles driven between visits (metres / 1609.344)."""
        return Decimal(self.travel_metres) / METRES_PER_MILE

    @property
    def paid_minutes(self) -> int:
        """Working time in minutes: contact + travel + waiting."""
        return self.contact_minutes + self.travel_minutes + self.waiting_minutes

    def _per_contact_hour(self, amount: Decimal | int) -> Decimal:
        if self.contact_minutes == 0:
            raise InputError(
                f"zone {self.zone!r} ({self.band}) has no contact time, so nothing per "
                "contact hour can be worked out",
                key="contact_minutes",
            )
        return Decimal(amount) * MINUTES_PER_HOUR / self.contact_minutes

    @property
    def travel_minutes_per_contact_hour(self) -> Decimal:
        """Minutes of travel per hour of contact (the model's ``time`` input)."""
        return self._per_contact_hour(self.travel_minutes)

    @property
    def miles_per_contact_hour(self) -> Decimal:
        """Miles driven per hour of contact (the model's ``mileage`` input)."""
        return self._per_contact_hour(self.travel_miles)

    @property
    def waiting_minutes_per_contact_hour(self) -> Decimal:
        """Minutes waiting between visits per hour of contact."""
        return self._per_contact_hour(self.waiting_minutes)

    def _share_of_paid(self, minutes: int) -> Decimal:
        if self.paid_minutes == 0:
            raise InputError(
                f"zone {self.zone!r} ({self.band}) has no paid time", key="contact_minutes"
            )
        return Decimal(minutes) / self.paid_minutes

    @property
    def travel_share_of_paid_time(self) -> Decimal:
        """Travel as a fraction (0 to 1) of paid time (contact + travel + waiting)."""
        return self._share_of_paid(self.travel_minutes)

    @property
    def contact_share_of_paid_time(self) -> Decimal:
        """Contact as a fraction (0 to 1) of paid time."""
        return self._share_of_paid(self.contact_minutes)

    @property
    def waiting_share_of_paid_time(self) -> Decimal:
        """Waiting as a fraction (0 to 1) of paid time."""
        return self._share_of_paid(self.waiting_minutes)


def combine(totals: Iterable[RoundTotals], *, zone: str | None = None) -> RoundTotals:
    """Sum the totals of several zones of one band into one.

    The per-contact-hour figures of the sum are pooled (total travel over total contact),
    not an average of the zones' figures, so a small zone weighs what its hours weigh.
    ``zone`` names the result; by default the zones' names joined by "+" in first-seen order.
    Totals of different bands, or no totals, are an :class:`InputError`.
    """
    parts = list(totals)
    if not parts:
        raise InputError("nothing to combine: give at least one zone's totals", key="totals")
    bands = {part.band for part in parts}
    if len(bands) > 1:
        raise InputError(
            f"can only combine zones of one band, got {', '.join(sorted(bands))}", key="band"
        )
    sums = {key: sum(getattr(part, key) for part in parts) for key in _COUNTS}
    name = zone if zone is not None else "+".join(dict.fromkeys(part.zone for part in parts))
    return RoundTotals(zone=name, band=parts[0].band, **sums)


def totals_by_band(totals: Iterable[RoundTotals]) -> dict[str, RoundTotals]:
    """Each band's zones combined (named after the band), in first-seen band order."""
    grouped: dict[str, list[RoundTotals]] = {}
    for part in totals:
        grouped.setdefault(part.band, []).append(part)
    return {band: combine(parts, zone=band) for band, parts in grouped.items()}
