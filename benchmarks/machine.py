"""What machine a benchmark ran on (CPU, cores and load), and where its results are written."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def cpu_name() -> str:
    """The CPU's model name from /proc/cpuinfo (or what the platform module knows)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def load_average() -> str:
    """/proc/loadavg as it stands: a busy machine makes every time slower."""
    try:
        return Path("/proc/loadavg").read_text().strip()
    except OSError:
        return "unknown"


def write_section(section: str, text: str) -> None:
    """Replace ``section`` (a ``## `` heading and what follows it) of docs/benchmarks.md."""
    target = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
    existing = target.read_text() if target.exists() else "# Benchmarks\n\n"
    if section in existing:
        head, _, rest = existing.partition(section)
        following = rest.find("\n## ")
        tail = rest[following + 1 :] if following >= 0 else ""
        existing = head + text + ("\n" + tail if tail else "")
    else:
        existing = existing.rstrip() + "\n\n" + text
    target.write_text(existing)
