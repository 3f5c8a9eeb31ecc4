"""How large an uploaded file may be once unpacked: the council's settings, one place.

``HOMECARE_UPLOAD_MAX_ROWS`` (500,000 rows), ``HOMECARE_UPLOAD_MAX_UNPACKED_BYTES`` (256 MB)
and ``HOMECARE_UPLOAD_MAX_COLUMNS`` (500) hold every upload a provider or officer sends;
``HOMECARE_BIDS_MAX_ROWS`` (5,000) holds a tender's file of bids, which a web request
evaluates. The readers check them before a file is unpacked (:mod:`carecore.limits`).
"""

from __future__ import annotations

from dataclasses import replace

from django.conf import settings

from carecore.limits import (
    DEFAULT_MAX_COLUMNS,
    DEFAULT_MAX_ROWS,
    DEFAULT_MAX_UNPACKED_BYTES,
    ReadLimits,
)
from carecore.procurement.bids import BID_LIMITS


def upload_limits() -> ReadLimits:
    """The limits on an uploaded file of logs or of a market's rows."""
    return ReadLimits(
        max_rows=getattr(settings, "HOMECARE_UPLOAD_MAX_ROWS", DEFAULT_MAX_ROWS),
        max_unpacked_bytes=getattr(
            settings, "HOMECARE_UPLOAD_MAX_UNPACKED_BYTES", DEFAULT_MAX_UNPACKED_BYTES
        ),
        max_columns=getattr(settings, "HOMECARE_UPLOAD_MAX_COLUMNS", DEFAULT_MAX_COLUMNS),
    )


def bid_limits() -> ReadLimits:
    """The limits on a tender's file of bids (fewer rows: they are evaluated in the request)."""
    rows = getattr(settings, "HOMECARE_BIDS_MAX_ROWS", BID_LIMITS.max_rows)
    return replace(BID_LIMITS, max_rows=rows)
