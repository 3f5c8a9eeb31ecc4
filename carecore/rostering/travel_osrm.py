"""Travel from an OSRM routing server's table service, over plain HTTP (no new dependency).

A council can run OSRM (Open Source Routing Machine) on its own map extract; its table
service returns driving seconds and metres between many points in one call::

    GET {base}/table/v1/{profile}/{lon},{lat};{lon},{lat}...?annotations=duration,distance

The server refuses tables whose sources x destinations pass its ``--max-table-size``
squared, so big requests are split into blocks of at most ``max_table_size`` sources by
``max_table_size`` destinations. Anything that goes wrong (the server cannot be reached, it
refuses the request, a pair has no road route) is an :class:`InputError` naming the URL and
the server's own message.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from carecore.errors import InputError
from carecore.rostering.travel import Point, TravelMatrix

# Errors quote the URL; a 200-point URL is kilobytes of coordinates, so it is shortened.
MAX_URL_IN_MESSAGE = 160


def _coordinates(points: Sequence[Point]) -> str:
    # Six decimals is about 0.1 m: finer than any road snapping.
    return ";".join(f"{p.lon:.6f},{p.lat:.6f}" for p in points)


def _short(url: str) -> str:
    return url if len(url) <= MAX_URL_IN_MESSAGE else url[: MAX_URL_IN_MESSAGE - 3] + "..."


def _server_message(body: bytes) -> str:
    """The server's own words from an error body: OSRM sends {"code", "message"}."""
    text = body.decode("utf-8", errors="replace").strip()
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return text[:300] or "no message"
    if isinstance(data, dict):
        parts = [str(data[k]) for k in ("code", "message") if data.get(k)]
        if parts:
            return ": ".join(parts)
    return text[:300]


@dataclass(frozen=True)
class OsrmTravel:
    """Driving seconds and metres from the OSRM server at ``base_url`` (http or https).

    ``timeout`` is seconds to wait for each request; ``max_table_size`` must not exceed the
    server's ``--max-table-size`` (100 unless it was started with more). Bands are ignored:
    the road network already knows where driving is slow.
    """

    base_url: str
    profile: str = "driving"
    timeout: float = 30.0
    max_table_size: int = 100

    def __post_init__(self) -> None:
        base = self.base_url.strip().rstrip("/")
        if not base.lower().startswith(("http://", "https://")) or "?" in base:
            raise InputError(
                "an OSRM server address must start http:// or https:// and have no query",
                source=self.base_url,
            )
        object.__setattr__(self, "base_url", base)
        if not self.profile or "/" in self.profile or ";" in self.profile:
            raise InputError(f"not a profile name: {self.profile!r}", key="profile")
        if not 0 < self.timeout <= 3600:
            raise InputError(
                f"must be more than 0 and at most 3600 seconds, got {self.timeout}", key="timeout"
            )
        if not self.max_table_size >= 1:
            raise InputError("must be 1 or more", key="max_table_size")

    def table_url(
        self,
        points: Sequence[Point],
        sources: Sequence[int] | None = None,
        destinations: Sequence[int] | None = None,
    ) -> str:
        """The table request URL for ``points`` (optionally only some sources/destinations)."""
        url = f"{self.base_url}/table/v1/{self.profile}/{_coordinates(points)}"
        url += "?annotations=duration,distance"
        if sources is not None:
            url += "&sources=" + ";".join(map(str, sources))
        if destinations is not None:
            url += "&destinations=" + ";".join(map(str, destinations))
        return url

    def _get(self, url: str) -> dict[str, Any]:
        request = urllib.request.Request(url, headers={"Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as exc:
            message = _server_message(exc.read())
            raise InputError(
                f"the OSRM server refused the request (HTTP {exc.code}): {message}",
                source=_short(url),
            ) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise InputError(
                f"could not reach the OSRM server: {reason}", source=_short(url)
            ) from None
        try:
            data = json.loads(body)
        except json.JSONDecodeError:
            raise InputError("the OSRM server's answer is not JSON", source=_short(url)) from None
        if not isinstance(data, dict):
            raise InputError("the OSRM server's answer is not a JSON object", source=_short(url))
        if data.get("code") != "Ok":
            raise InputError(
                f"the OSRM server answered {_server_message(body)}", source=_short(url)
            )
        return data

    def _block(
        self, points: Sequence[Point], rows: list[int], cols: list[int]
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Seconds and metres from ``rows`` to ``cols`` (indices into ``points``)."""
        if rows == cols:
            url = self.table_url([points[i] for i in rows])
        else:
            url = self.table_url(
                [points[i] for i in rows + cols],
                sources=range(len(rows)),
                destinations=range(len(rows), len(rows) + len(cols)),
            )
        data = self._get(url)
        found = []
        for name in ("durations", "distances"):
            table = data.get(name)
            if (
                not isinstance(table, list)
                or len(table) != len(rows)
                or any(not isinstance(r, list) or len(r) != len(cols) for r in table)
            ):
                raise InputError(
                    f"the OSRM answer has no {len(rows)} x {len(cols)} '{name}' "
                    "(servers too old to give table distances do not)",
                    source=_short(url),
                )
            for a, row in enumerate(table):
                for b, cell in enumerate(row):
                    if cell is None:
                        p, q = points[rows[a]], points[cols[b]]
                        raise InputError(
                            f"no road route from point {rows[a]} ({p.lat}, {p.lon})"
                            f" to point {cols[b]} ({q.lat}, {q.lon})",
                            source=_short(url),
                        )
                    if isinstance(cell, bool) or not isinstance(cell, int | float) or cell < 0:
                        raise InputError(
                            f"a bad {name} value {cell!r} in the OSRM answer", source=_short(url)
                        )
            found.append(np.array(table, dtype=np.float64))
        return found[0], found[1]

    def matrix(self, points: Sequence[Point], bands: Sequence[str] | None = None) -> TravelMatrix:
        """Driving seconds and metres between every pair of ``points``, rounded to whole."""
        size = len(points)
        seconds = np.zeros((size, size), dtype=np.float64)
        metres = np.zeros((size, size), dtype=np.float64)
        if size > 1:
            step = self.max_table_size
            blocks = [list(range(i, min(i + step, size))) for i in range(0, size, step)]
            for rows in blocks:
                for cols in blocks:
                    block_seconds, block_metres = self._block(points, rows, cols)
                    seconds[np.ix_(rows, cols)] = block_seconds
                    metres[np.ix_(rows, cols)] = block_metres
        # A point to itself is no trip, whatever the server snapped it to.
        np.fill_diagonal(seconds, 0)
        np.fill_diagonal(metres, 0)
        return TravelMatrix(
            seconds=np.rint(seconds).astype(np.int64),
            metres=np.rint(metres).astype(np.int64),
            source=f"OSRM {self.base_url} ({self.profile})",
        )
