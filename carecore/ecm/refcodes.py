"""Whole-number codes for the text references, numbered in the references' own sort order.

Provider, person and carer references are text, and a frame of millions of logs sorted or
joined on text spends most of its time comparing and moving strings. Each reference is
therefore given a code: its position among the distinct values, sorted. The distinct values
are few (thousands of people and carers, a handful of providers), so the dictionary is tiny
and one join per column adds the codes. Because codes follow the text's order, sorting by
codes gives exactly the order sorting by the text would, and equal codes mean equal text:
results do not change, only the time they take.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import polars as pl

REF_CODES = {"provider_ref": "_prov", "person_ref": "_person", "carer_id": "_carer"}
# The log key (see :data:`~carecore.ecm.schema.LOG_KEY`) in codes.
CODED_LOG_KEY = ("_prov", "_person", "_carer", "check_in")
CODE_TYPE = pl.UInt32


def with_ref_codes(
    frames: Sequence[pl.LazyFrame],
    stage: Callable[[pl.LazyFrame], pl.LazyFrame] = lambda frame: frame,
) -> list[pl.LazyFrame]:
    """``frames`` with a code column for each reference column they have (``_prov`` for
    ``provider_ref``, ``_person`` for ``person_ref``, ``_carer`` for ``carer_id``).

    One dictionary per column covers every frame, so codes agree across frames. A null
    reference gets a null code. ``stage`` is applied to each dictionary (say, to collect it
    once when the frames are read by several queries).
    """
    result = list(frames)
    for column, code in REF_CODES.items():
        having = [i for i, frame in enumerate(result) if column in frame.collect_schema()]
        if not having:
            continue
        values = pl.concat([result[i].select(column) for i in having]).unique()
        dictionary = stage(
            values.drop_nulls()
            .sort(column)
            .with_row_index(code)
            .with_columns(pl.col(code).cast(CODE_TYPE))
        )
        for i in having:
            result[i] = result[i].join(dictionary, on=column, how="left", maintain_order="left")
    return result


def pair_code() -> pl.Expr:
    """One whole number per (provider, person) pair, from their codes (null if either is)."""
    return (pl.col("_prov").cast(pl.UInt64) * (1 << 32) + pl.col("_person").cast(pl.UInt64)).alias(
        "_who"
    )
