"""Where the published routing benchmarks are: read in place, never copied into the project."""

from __future__ import annotations

import os
from pathlib import Path

ENV_VARIABLE = "HOMECARE_BENCHMARKS_DIR"
# The checkout sits beside shared/: <root>/main/carecore/rostering/ -> <root>/shared/data/.
_SHARED_DATA_BESIDE_CHECKOUT = Path(__file__).resolve().parents[3] / "shared" / "data"


def benchmarks_dir() -> Path | None:
    """The benchmarks folder, or None when absent.

    ``HOMECARE_BENCHMARKS_DIR`` names it; otherwise ``benchmarks/`` in the reference data
    folder (``HOMECARE_SHARED_DATA``, by default ../shared/data beside the checkout).
    """
    named = os.environ.get(ENV_VARIABLE)
    if named:
        candidate = Path(named)
    else:
        shared = os.environ.get("HOMECARE_SHARED_DATA")
        candidate = (Path(shared) if shared else _SHARED_DATA_BESIDE_CHECKOUT) / "benchmarks"
    return candidate if candidate.is_dir() else None
