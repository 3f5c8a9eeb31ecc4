"""Synthetic planned visits and call-monitoring logs with the shape of real ones.

Everything is drawn with NumPy from the caller's seed (the same seed gives the same frames)
and built column by column, so ten million logs take seconds. References are synthetic
(``SU-000001``, ``PRV-01``, ``CR-01-0001``); they never name real people or companies.

The shape, per planned visit: about 1% missed, 1% cancelled with notice, 0.7% cancelled at
short notice, 0.5% no access, the rest delivered; delivered visits run about 10% under plan
(Rotherham's variance, seed 004 paragraph 2.1) with some short and some late (a tail of 30
to 90 minutes); 15% of visits are double-handed and 4% of those are attended by one carer;
3% of logs are manual. On top, 0.5% of logs are repeated rows, 0.3% are unplanned night
visits and 0.05% name a person the provider has no plan for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
import polars as pl

from carecore.ecm.schema import ACTUAL_SCHEMA, LONDON_TZ, METHODS, PLANNED_SCHEMA
from carecore.ecm.timeparse import london_wall_time
from carecore.errors import InputError
from carecore.pricing.bank_holidays import bank_holidays, check_covered
from carecore.units import LONDON

SLOTS = np.array([7 * 60 + 30, 12 * 60 + 30, 17 * 60, 21 * 60])  # wall-clock minutes
VISITS_PER_DAY = (np.array([1, 2, 3, 4]), np.array([0.15, 0.25, 0.35, 0.25]))
MINUTES = (np.array([15, 30, 45, 60]), np.array([0.05, 0.45, 0.35, 0.15]))
BANDS = (("URBAN", "FRINGE", "RURAL", "ISOLATED"), np.array([0.55, 0.25, 0.15, 0.05]))
METHOD_WEIGHTS = np.array([0.30, 0.60, 0.07, 0.03])  # phone, app, qr, manual
CARERS_PER_PROVIDER = 400
OUTCOME_CODES = (None, "cancelled", "cancelled_short_notice", "no_access")
US_PER_MINUTE = 60_000_000


@dataclass(frozen=True)
class SyntheticPeriod:
    """Planned visits (``PLANNED_SCHEMA``) and logs (``ACTUAL_SCHEMA``) for one period."""

    planned: pl.DataFrame
    actual: pl.DataFrame


def _schedules(rng: np.random.Generator, n_people: int, providers: int) -> dict[str, np.ndarray]:
    """Each person's daily visits: one array entry per person per visit slot."""
    per_day = rng.choice(VISITS_PER_DAY[0], size=n_people, p=VISITS_PER_DAY[1])
    person = np.repeat(np.arange(n_people), per_day)
    slot = np.concatenate([np.arange(k) for k in per_day]) if n_people else np.array([], int)
    # People with fewer visits keep the morning slot and then the evening ones.
    slot = np.where(per_day[person] == 1, 0, slot)
    slot = np.where((per_day[person] == 2) & (slot == 1), 2, slot)
    jitter = rng.integers(-6, 7, size=n_people)[person] * 5
    return {
        "person": person,
        "minute": SLOTS[slot] + jitter,
        "minutes": rng.choice(MINUTES[0], size=person.size, p=MINUTES[1]),
        "carers": np.where(rng.random(person.size) < 0.15, 2, 1),
        "critical": rng.random(person.size) < 0.10,
        "provider": rng.integers(0, providers, size=n_people),
        "band": rng.choice(len(BANDS[0]), size=n_people, p=BANDS[1]),
    }


def _refs(prefix: str, count: int, width: int) -> pl.Series:
    return pl.Series([f"{prefix}{i + 1:0{width}d}" for i in range(count)], dtype=pl.String)


def _day_offsets(start: date, days: int) -> np.ndarray:
    """Each day's London offset from UTC in microseconds, at the visits' hours.

    Every slot starts at 06:30 or later, after the 01:00 UTC clock change, so one offset
    per day is exact (and far cheaper than a time-zone lookup per visit).
    """
    noon = [
        datetime.combine(start + timedelta(days=d), time(12), tzinfo=LONDON) for d in range(days)
    ]
    return np.array([int(m.utcoffset().total_seconds()) * 1_000_000 for m in noon], dtype=np.int64)  # type: ignore[union-attr]


def _planned(plan: dict[str, np.ndarray], days: int, start: date) -> pl.DataFrame:
    """Every planned visit: each person's daily visits repeated for each day.

    Text columns are gathered from small tables of names (people, dates, clock times) rather
    than formatted per row, which keeps ten million rows to a few seconds.
    """
    slots = plan["person"].size
    day = np.repeat(np.arange(days, dtype=np.int64), slots)
    idx = np.tile(np.arange(slots), days)
    person = plan["person"][idx]
    minute = plan["minute"][idx].astype(np.int64)
    if minute.min(initial=SLOTS.min()) < 6 * 60:
        raise AssertionError("synthetic visits must start after the night's clock change")
    epoch_day = (start - date(1970, 1, 1)).days + day
    wall_us = (epoch_day * 86_400 + minute * 60) * 1_000_000
    n_people = plan["provider"].size
    packages = _refs("PKG-", n_people, 6)
    dates = pl.Series([str(start + timedelta(days=d)) for d in range(days)])
    clocks = pl.Series([f"{m // 60:02d}{m % 60:02d}" for m in range(24 * 60)])
    frame = pl.DataFrame(
        {
            "package_ref": packages.gather(person),
            "provider_ref": _refs("PRV-", int(plan["provider"].max()) + 1, 2).gather(
                plan["provider"][person]
            ),
            "person_ref": _refs("SU-", n_people, 6).gather(person),
            "band": pl.Series(BANDS[0]).gather(plan["band"][person]),
            "planned_start": _moments(wall_us - _day_offsets(start, days)[day]),
            "planned_minutes": plan["minutes"][idx],
            "carers": plan["carers"][idx],
            "critical": plan["critical"][idx],
            "_date_text": dates.gather(day),
            "_clock": clocks.gather(minute),
        }
    )
    holidays = {d for d in bank_holidays() if start <= d < start + timedelta(days=days)}
    is_holiday = np.isin(day, [(d - start).days for d in holidays])
    return frame.with_columns(
        planned_id=pl.concat_str(["package_ref", "_date_text", "_clock"], separator=":"),
        bank_holiday=pl.Series(is_holiday),
        rate_pence_per_hour=pl.lit(None, dtype=pl.Int64),
    ).select([pl.col(c).cast(t) for c, t in PLANNED_SCHEMA.items()])


def _moments(micros: np.ndarray) -> pl.Series:
    """London moments from microseconds since the epoch (UTC)."""
    utc = pl.Series(micros, dtype=pl.Int64).cast(pl.Datetime("us", "UTC"))
    return utc.dt.convert_time_zone(LONDON_TZ)


def _visit_logs(rng: np.random.Generator, planned: pl.DataFrame) -> pl.DataFrame:
    """Logs for the planned visits: one per attending carer, or one cancellation record."""
    n = planned.height
    carers = planned["carers"].to_numpy()
    draw = rng.random(n)
    # 0 delivered, 1 cancelled, 2 cancelled at short notice, 3 no access; -1 missed.
    code = np.select(
        [draw < 0.01, draw < 0.02, draw < 0.027, draw < 0.032], [-1, 1, 2, 3], default=0
    )
    alone = (carers == 2) & (rng.random(n) < 0.04)
    count = np.select(
        [code == -1, (code == 1) | (code == 2), code == 3, alone], [0, 1, carers, 1], carers
    )
    visit = np.repeat(np.arange(n), count)
    carer_k = np.arange(visit.size) - np.repeat(np.cumsum(count) - count, count)
    start_us = planned["planned_start"].dt.epoch("us").to_numpy()[visit]
    planned_s = planned["planned_minutes"].to_numpy()[visit] * 60
    late_min = rng.normal(4, 8, n) + np.where(rng.random(n) < 0.06, rng.uniform(30, 90, n), 0)
    factor = np.clip(rng.normal(0.9, 0.12, n), 0.3, 1.5)
    factor = np.where(rng.random(n) < 0.04, rng.uniform(0.3, 0.7, n), factor)
    noise = rng.normal(0, 90, visit.size)
    in_us = start_us + ((late_min[visit] * 60 + noise / 3) * 1e6).astype(np.int64)
    out_us = in_us + (np.maximum(planned_s * factor[visit] + noise, 60) * 1e6).astype(np.int64)
    kind = code[visit]
    in_us = np.where((kind == 1) | (kind == 2), start_us, in_us)
    out_us = np.where(kind == 3, in_us + 180_000_000, out_us)
    provider = planned["provider_ref"].str.slice(4).cast(pl.Int64).to_numpy()[visit]
    first = rng.integers(0, CARERS_PER_PROVIDER, n)
    other = (first + 1 + rng.integers(0, CARERS_PER_PROVIDER - 1, n)) % CARERS_PER_PROVIDER
    pool = np.where(carer_k == 0, first[visit], other[visit])
    logs = pl.DataFrame(
        {
            "provider_ref": planned["provider_ref"].gather(visit),
            "person_ref": planned["person_ref"].gather(visit),
            "check_in": _moments(in_us),
            "check_out": _moments(out_us),
            "method": pl.Series(METHODS).gather(
                rng.choice(len(METHODS), size=visit.size, p=METHOD_WEIGHTS)
            ),
            "exception_code": pl.Series(OUTCOME_CODES, dtype=pl.String).gather(np.maximum(kind, 0)),
        }
    )
    names = pl.Series(
        [f"CR-{p:02d}-{c:04d}" for p in range(100) for c in range(CARERS_PER_PROVIDER + 1)]
    )
    return logs.with_columns(
        carer_id=names.gather(provider * (CARERS_PER_PROVIDER + 1) + pool + 1),
        check_out=pl.when(pl.col("exception_code").is_in(["cancelled", "cancelled_short_notice"]))
        .then(None)
        .otherwise(pl.col("check_out")),
    ).select(list(ACTUAL_SCHEMA))


def _odd_logs(rng: np.random.Generator, planned: pl.DataFrame, logs: int) -> pl.DataFrame:
    """Unplanned night visits (0.3% of logs) and logs for unknown people (0.05%)."""
    night = planned.sample(
        n=round(logs * 0.003), with_replacement=True, seed=int(rng.integers(2**32))
    )
    wall = pl.col("planned_start").dt.date().cast(pl.Datetime("us"))
    night = night.with_columns(
        check_in=london_wall_time(wall + pl.duration(minutes=180 + pl.int_range(pl.len()) % 60))
    )
    stray = planned.sample(
        n=round(logs * 0.0005), with_replacement=True, seed=int(rng.integers(2**32))
    )
    stray = stray.with_columns(
        person_ref=pl.format("SU-X{}", pl.col("person_ref").str.slice(3)),
        check_in=pl.col("planned_start") + pl.duration(minutes=5),
    )
    odd = pl.concat(
        [
            night.select("provider_ref", "person_ref", "check_in"),
            stray.select("provider_ref", "person_ref", "check_in"),
        ]
    )
    return odd.with_columns(
        carer_id=pl.format("CR-{}-0001", pl.col("provider_ref").str.slice(4)),
        check_out=pl.col("check_in") + pl.duration(minutes=40),
        method=pl.lit("app"),
        exception_code=pl.lit(None, dtype=pl.String),
    ).select(list(ACTUAL_SCHEMA))


def synthetic_period(
    n_people: int,
    days: int,
    seed: int,
    *,
    start: date = date(2021, 6, 7),
    providers: int = 8,
) -> SyntheticPeriod:
    """Planned visits and logs for ``n_people`` over ``days`` days from ``start``.

    Each person has one to four visits a day with one of ``providers`` providers; about 1.1
    logs are made per planned visit. The same arguments always give the same frames.
    """
    for name, value, low in (
        ("n_people", n_people, 1),
        ("days", days, 1),
        ("providers", providers, 1),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise InputError(f"expected a whole number of at least {low}, got {value!r}", key=name)
    if providers > 99:
        raise InputError("at most 99 providers", key="providers")
    if not isinstance(start, date) or isinstance(start, datetime):
        raise InputError(f"expected a date, got {start!r}", key="start")
    check_covered(start, key="start")
    check_covered(start + timedelta(days=days - 1), key="days")
    rng = np.random.default_rng(seed)
    plan = _schedules(rng, n_people, providers)
    plan["provider"][0] = providers - 1  # every provider number up to the last is possible
    planned = _planned(plan, days, start)
    logs = _visit_logs(rng, planned)
    logs = pl.concat([logs, _odd_logs(rng, planned, logs.height)])
    repeats = logs.sample(n=round(logs.height * 0.005), seed=int(rng.integers(2**32)))
    return SyntheticPeriod(planned=planned, actual=pl.concat([logs, repeats]))
