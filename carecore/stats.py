"""Small statistics the reports share: the Wilson score interval for a share.

A share such as "punctuality 81 of 263 visits" is an estimate; with few visits it could
easily have come out very differently. The Wilson score interval (Wilson 1927; recommended by
Newcombe 1998 and by Agresti and Coull 1998 over the textbook "p plus or minus 1.96 standard
errors", which collapses to a point at 0 and 100% and undercovers on small counts) gives the
range of true shares the counts are consistent with. Computed in ``Decimal`` from the
integer counts, so the same counts always give the same digits.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, localcontext

Z_95 = Decimal("1.96")
"""The normal quantile for a two-sided 95% interval."""


def wilson_interval(successes: int, n: int, z: Decimal = Z_95) -> tuple[Decimal, Decimal]:
    """The Wilson score interval ``(low, high)``, as fractions 0 to 1, for ``successes`` out
    of ``n`` (both whole numbers, ``0 <= successes <= n``, ``n >= 1``).

    ``(2x + z^2 -/+ z sqrt(z^2 + 4x(n - x)/n)) / (2(n + z^2))``, worked at 40 significant
    digits; 0 successes give a low of exactly 0 and ``n`` a high of exactly 1.
    """
    if isinstance(successes, bool) or isinstance(n, bool):
        raise TypeError("successes and n must be whole numbers, not booleans")
    if not isinstance(successes, int) or not isinstance(n, int):
        raise TypeError("successes and n must be whole numbers (counts)")
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be 0 to n ({n}), got {successes}")
    z = Decimal(z)
    if z <= 0:
        raise ValueError(f"z must be positive, got {z}")
    with localcontext() as context:
        context.prec = 40
        x, total, z2 = Decimal(successes), Decimal(n), z * z
        spread = z * (z2 + 4 * x * (total - x) / total).sqrt()
        bottom = 2 * (total + z2)
        low = Decimal(0) if successes == 0 else (2 * x + z2 - spread) / bottom
        high = Decimal(1) if successes == n else (2 * x + z2 + spread) / bottom
    return +low, +high


def wilson_percent(successes: int, n: int, z: Decimal = Z_95) -> tuple[Decimal, Decimal] | None:
    """The interval in percent to one decimal place, rounded outwards (the low down, the high
    up) so the interval shown always contains the exact one; ``None`` when ``n`` is 0."""
    if n == 0:
        return None
    low, high = wilson_interval(successes, n, z)
    tenth = Decimal("0.1")
    return (
        (low * 100).quantize(tenth, rounding=ROUND_FLOOR),
        (high * 100).quantize(tenth, rounding=ROUND_CEILING),
    )
