"""A plain pandas implementation of the ECM rules, the baseline for ``ecm_reconcile.py``.

Not part of the engine and not a test: the same rules as ``carecore.ecm`` written as a
competent analyst would in pandas (vectorised, ``merge_asof`` for matching, ``groupby`` for
outcomes, integer pence for money), to measure the engine against. It implements what the
benchmark's rules and card use: pay basis ``actual``, ``actual_capped`` or ``planned``, any
rounding, cancellation percents, manual logs needing approval (no approvals file), unplanned
logs held; the card's per-day and per-band tables come from ``carecore.ecm.payment`` (the
rate card is data; pricing arithmetic is done here). It computes outcomes, invoice lines and
totals but no reason texts or exception list (the engine does more work, not less).

    from benchmarks.ecm_pandas_baseline import reconcile_pandas, read_logs_pandas
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from carecore.ecm.payment import BASE_DENOMINATOR, FULL_SHARE, UPLIFT_DENOMINATOR, price_tables
from carecore.ecm.rules import ContractRules, ratio
from carecore.pricing.rate_cards import load_rate_card

LONDON = "Europe/London"
METHOD_RANK = {"phone": 0, "app": 1, "qr": 2, "manual": 3}
CODE_RANK = {"no_access": 0, "cancelled_short_notice": 1, "cancelled": 2}
RANK_CODE = {v: k for k, v in CODE_RANK.items()}
LOG_KEY = ["provider_ref", "person_ref", "carer_id", "check_in"]


@dataclass(frozen=True)
class PandasResult:
    """Outcome counts, log-status counts, pence per provider and the invoice lines."""

    visit_outcomes: dict[str, int]
    log_statuses: dict[str, int]
    pence_by_provider: dict[str, int]
    lines: pd.DataFrame

    @property
    def amount_pence(self) -> int:
        return sum(self.pence_by_provider.values())


def read_logs_pandas(path: Path) -> pd.DataFrame:
    """Logs from Parquet (typed) or CSV (ISO 8601 with offsets) as pandas."""
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    for column in ("check_in", "check_out"):
        frame[column] = pd.to_datetime(frame[column], format="ISO8601", utc=True).dt.tz_convert(
            LONDON
        )
    return frame


def read_planned_pandas(path: Path) -> pd.DataFrame:
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    frame = pd.read_csv(path, dtype={"planned_id": str, "package_ref": str, "band": str})
    frame["planned_start"] = pd.to_datetime(
        frame["planned_start"], format="ISO8601", utc=True
    ).dt.tz_convert(LONDON)
    return frame


def _seconds(delta: pd.Series) -> pd.Series:
    """Whole seconds of a duration, truncated toward zero (as the engine counts them)."""
    return np.trunc(delta.dt.total_seconds())


def _counted(seconds: np.ndarray, rules: ContractRules) -> np.ndarray:
    unit = rules.rounding_minutes
    if unit is None:
        counted = seconds // 60
    else:
        step = unit * 60
        if rules.rounding_direction == "up":
            counted = (seconds + step - 1) // step * unit
        elif rules.rounding_direction == "down":
            counted = seconds // step * unit
        else:
            nearest = (seconds + step // 2) // step * unit
            counted = np.where(seconds > 0, np.maximum(nearest, unit), 0)
    if rules.minimum_minutes:
        counted = np.where(seconds > 0, np.maximum(counted, rules.minimum_minutes), 0)
    return counted.astype(np.int64)


def _payable(seconds: np.ndarray, planned: np.ndarray, rules: ContractRules) -> np.ndarray:
    counted = _counted(seconds, rules)
    if rules.pay_basis == "actual":
        return counted
    if rules.pay_basis == "planned":
        return planned.astype(np.int64)
    if rules.pay_basis == "actual_capped":
        return np.minimum(counted, planned)
    raise NotImplementedError("the baseline does not implement planned_within_tolerance")


def _share(planned: pd.Series, percent: object) -> pd.Series:
    num, den = ratio(percent)  # type: ignore[arg-type]
    return (2 * planned.astype(np.int64) * num + den) // (2 * den)


def _dedupe(logs: pd.DataFrame) -> pd.DataFrame:
    """One row per log key; where copies differ, the earliest check-out is kept."""
    logs = logs.assign(
        _m=logs["method"].map(METHOD_RANK).fillna(4),
        _c=logs["exception_code"].map(CODE_RANK).fillna(-1),
    )
    logs = logs.sort_values(["check_out", "_m", "_c"], na_position="last", kind="stable")
    return logs.drop_duplicates(subset=LOG_KEY, keep="first").drop(columns=["_m", "_c"])


def _match(plans: pd.DataFrame, logs: pd.DataFrame, rules: ContractRules) -> pd.DataFrame:
    """Each log with its nearest plan of the same provider and person, and its status."""
    pairs = plans[["provider_ref", "person_ref"]].drop_duplicates()
    pairs["_who"] = np.arange(len(pairs), dtype=np.int64)
    plans = plans.merge(pairs, on=["provider_ref", "person_ref"])
    logs = logs.merge(pairs, on=["provider_ref", "person_ref"], how="left")
    logs["_who"] = logs["_who"].fillna(-1).astype(np.int64)
    right = plans[["_who", "_plan", "planned_start", "planned_minutes", "carers", "critical"]]
    matched = pd.merge_asof(
        logs.sort_values("check_in"),
        right.sort_values("planned_start"),
        left_on="check_in",
        right_on="planned_start",
        by="_who",
        direction="nearest",
    )
    offset = matched["check_in"] - matched["planned_start"]
    window = pd.Timedelta(minutes=rules.match_window_minutes)
    has_plan = matched["_plan"].notna()
    within = has_plan & (offset.abs() <= window)
    pending = (matched["method"] == "manual") & rules.manual_needs_approval
    status = np.select(
        [~has_plan, pending, ~within], ["unmatched", "pending_approval", "unplanned"], ""
    )
    matched["log_status"] = status
    matched.loc[~within, "_plan"] = np.nan
    return _rank(matched)


def _rank(logs: pd.DataFrame) -> pd.DataFrame:
    """Duplicates, extra carers and each counted log's carer index within its plan."""
    open_ = logs["log_status"] == ""
    todo = logs[open_].copy()
    todo["_kind"] = todo["exception_code"].notna().astype(np.int8)
    todo = todo.sort_values(["_plan", "_kind", "check_in", "carer_id"], kind="stable")
    repeat = (todo["_kind"] == 0) & todo.duplicated(subset=["_plan", "_kind", "carer_id"])
    counted = (~repeat).astype(np.int64)
    todo["carer_index"] = counted.groupby([todo["_plan"], todo["_kind"]]).cumsum()
    extra = (todo["_kind"] == 0) & ~repeat & (todo["carer_index"] > todo["carers"])
    todo["log_status"] = np.select([repeat, extra], ["duplicate", "extra_carer"], "accepted")
    todo.loc[repeat, "carer_index"] = np.nan
    rest = logs[~open_]
    return pd.concat([todo.drop(columns="_kind"), rest], ignore_index=True)


def _outcomes(plans: pd.DataFrame, logs: pd.DataFrame, rules: ContractRules) -> pd.DataFrame:
    accepted = logs[logs["log_status"] == "accepted"]
    came = accepted[accepted["exception_code"].isna()]
    seconds = _seconds(came["check_out"] - came["check_in"])
    delivered = (
        came.assign(_s=seconds)
        .groupby("_plan")
        .agg(
            carers_logged=("carer_id", "size"), first_in=("check_in", "min"), longest=("_s", "max")
        )
    )
    coded = accepted[accepted["exception_code"].notna()]
    codes = coded["exception_code"].map(CODE_RANK).groupby(coded["_plan"]).min().map(RANK_CODE)
    pending = logs[(logs["log_status"] == "pending_approval") & logs["_plan"].notna()]
    visits = plans.set_index("_plan")
    visits = visits.join(delivered).join(codes.rename("_code"))
    visits["_pending"] = pending.groupby("_plan").size().reindex(visits.index, fill_value=0)
    came_ = visits["carers_logged"].fillna(0) > 0
    threshold = np.where(visits["critical"], rules.critical_late_minutes, rules.late_minutes)
    lateness = _seconds(visits["first_in"] - visits["planned_start"])
    num, den = ratio(rules.short_percent)
    short = came_ & (visits["longest"] * den < visits["planned_minutes"] * 60 * num)
    late = came_ & (lateness > threshold * 60)
    visits["outcome"] = np.select(
        [short, late, came_, visits["_code"].notna(), visits["_pending"] > 0],
        ["short", "late", "delivered", visits["_code"], "pending_approval"],
        "missed",
    )
    return visits.reset_index()


def _lines(visits: pd.DataFrame, logs: pd.DataFrame, rules: ContractRules) -> pd.DataFrame:
    plan_cols = ["_plan", "provider_ref", "band", "planned_start", "planned_minutes"]
    plan_cols += ["rate_pence_per_hour", "outcome"]
    came = logs[(logs["log_status"] == "accepted") & logs["exception_code"].isna()]
    came = came[["_plan", "carer_index", "check_in", "check_out"]].merge(
        visits[plan_cols], on="_plan"
    )
    seconds = _seconds(came["check_out"] - came["check_in"]).to_numpy(np.int64)
    came["payable_minutes"] = _payable(seconds, came["planned_minutes"].to_numpy(), rules)
    cancelled = visits[visits["outcome"].isin(["cancelled_short_notice", "no_access"])]
    paid = np.where(
        cancelled["outcome"] == "cancelled_short_notice",
        _share(cancelled["planned_minutes"], rules.short_notice_percent),
        _share(cancelled["planned_minutes"], rules.no_access_percent),
    )
    cancelled = cancelled[[*plan_cols, "carers"]].assign(payable_minutes=paid)
    cancelled = cancelled[cancelled["payable_minutes"] > 0]
    cancelled = cancelled.loc[cancelled.index.repeat(cancelled["carers"])]
    cancelled["carer_index"] = cancelled.groupby(level=0).cumcount() + 1
    lines = pd.concat([came, cancelled.drop(columns="carers")], ignore_index=True)
    lines["visit_date"] = lines["planned_start"].dt.tz_localize(None).dt.normalize()
    return lines


def _price(lines: pd.DataFrame, card_name: str, first: date, last: date) -> pd.Series:
    """Pence per line, exactly as the card pays (integer arithmetic, half up)."""
    tables = price_tables(load_rate_card(card_name), first, last)
    days = tables.days.to_pandas()
    days["visit_date"] = pd.to_datetime(days["visit_date"]).astype(lines["visit_date"].dtype)
    bands = tables.bands.to_pandas()
    priced = lines.assign(_band_key=lines["band"].str.strip().str.upper()).merge(
        days, on="visit_date", how="left"
    )
    priced = priced.merge(bands, on=["_period", "_band_key"], how="left")
    payable = priced["payable_minutes"].to_numpy(np.int64)
    unit = priced["_unit"].to_numpy(np.float64)
    has_unit = ~np.isnan(unit)
    u = np.where(has_unit, unit, 1).astype(np.int64)
    up = (payable + u - 1) // u * u
    nearest = np.maximum(u, (2 * payable + u) // (2 * u) * u)
    rounded = np.where(has_unit, np.where(priced["_nearest"].fillna(False), nearest, up), payable)
    billed = np.maximum(rounded, priced["_minimum"].to_numpy(np.int64))
    billable = np.where(payable > 0, billed, 0)
    tendered = priced["rate_pence_per_hour"].to_numpy(np.float64)
    rate = np.where(np.isnan(tendered), priced["_card_rate"].to_numpy(np.float64), tendered * 100)
    if np.isnan(rate).any():
        raise ValueError("a line has no rate")
    share = np.where(priced["carer_index"] <= 1, FULL_SHARE, priced["_further"])
    base = rate.astype(np.int64) * billable * share.astype(np.int64)
    if base.max(initial=0) > 2**62 // (100 * 100 * 100):
        raise OverflowError("amounts too large for int64 in the baseline")
    amount = (2 * base + BASE_DENOMINATOR) // (2 * BASE_DENOMINATOR)
    for uplift in ("_up1", "_up2"):
        up_ = priced[uplift].to_numpy(np.int64)
        amount += (2 * base * up_ + UPLIFT_DENOMINATOR) // (2 * UPLIFT_DENOMINATOR)
    return pd.Series(amount, index=lines.index)


def reconcile_pandas(
    planned: pd.DataFrame, actual: pd.DataFrame, rules: ContractRules, card: str
) -> PandasResult:
    """Outcomes, log statuses and pence per provider under ``rules`` and ``card``."""
    plans = planned.sort_values(["planned_start", "planned_id"]).reset_index(drop=True)
    plans["_plan"] = np.arange(len(plans), dtype=np.float64)
    plans["critical"] = plans["critical"].fillna(False).astype(bool)
    logs = _match(plans, _dedupe(actual), rules)
    visits = _outcomes(plans, logs, rules)
    lines = _lines(visits, logs, rules)
    dates = pd.concat([plans["planned_start"], actual["check_in"]]).dt.date
    lines["amount_pence"] = _price(lines, card, dates.min(), dates.max())
    return PandasResult(
        visit_outcomes=visits["outcome"].value_counts().to_dict(),
        log_statuses=logs["log_status"].value_counts().to_dict(),
        pence_by_provider=lines.groupby("provider_ref")["amount_pence"].sum().to_dict(),
        lines=lines,
    )
