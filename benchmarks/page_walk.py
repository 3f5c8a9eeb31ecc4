"""How long each page takes on the full demo, walked as every persona (target: under 2 s).

The test ``homecare/accounts/tests/test_walk_every_page.py`` walks every page on the small
demo and checks answers and query counts; this script walks the same way on the demo
``make demo`` loads (full size, in a fresh SQLite database of its own) and times every page.
The baseline, measured in the same run, is the sign-in page: a page that reads nothing.

Run with ``.venv/bin/python benchmarks/page_walk.py``; ``--write`` replaces its section of
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from machine import cores, cpu_name, load_average, write_section  # noqa: E402

SECTION = "## Every page on the demo"
TARGET_SECONDS = 2.0
# Both demo councils' personas, and providers serving one council or both.
PERSONAS = ("commissioner", "broker", "finance", "provider-a", "provider-b")
PERSONAS += ("ferncaster-commissioner", "ferncaster-broker", "ferncaster-finance", "provider-c")
PERSONAS += ("user-admin", "ferncaster-user-admin")


def _setup(database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # runserver and the demo are development tools: production settings fail closed.
    os.environ.setdefault("HOMECARE_ENVIRONMENT", "development")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", "--no-input", verbosity=0)
    started = time.perf_counter()
    call_command("load_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    print(f"demo loaded in {time.perf_counter() - started:.1f} s", file=sys.stderr)


def measure() -> tuple[list[object], float]:
    import logging

    from django.contrib.auth import get_user_model
    from django.test import Client

    from homecare.accounts.site_walk import start_pages, walk_site

    # Refusals (a provider opening a council page) are expected: keep them out of the output.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    baseline_client = Client()
    samples = []
    for _ in range(15):
        started = time.perf_counter()
        baseline_client.get("/accounts/sign-in/")
        samples.append(time.perf_counter() - started)
    baseline = statistics.median(samples)
    visits: list[object] = []
    users = get_user_model().objects
    files: set[str] = set()
    for persona in PERSONAS:
        client = Client(raise_request_exception=False)
        client.force_login(users.get(username=persona))
        visits += walk_site(persona, client, start_pages(), [], files)
    return visits, baseline


def _machine() -> str:
    return f"{cpu_name()}, {cores()} cores, load average {load_average()}"


def as_markdown(visits: list[object], baseline: float) -> str:
    seconds = sorted((v.seconds, v.persona, v.path) for v in visits)  # type: ignore[attr-defined]
    times = [s for s, _, _ in seconds]
    over = [row for row in seconds if row[0] > TARGET_SECONDS]
    p95 = times[int(0.95 * (len(times) - 1))]
    lines = [
        SECTION,
        "",
        f"Measured {date.today().isoformat()} on {_machine()}, by `benchmarks/page_walk.py`: "
        f"{len(times)} pages walked as {', '.join(PERSONAS)} on the full demo (SQLite). "
        f"Baseline: the sign-in page, median {baseline * 1000:.1f} ms.",
        "",
        "| measure | seconds | × baseline |",
        "|---|---:|---:|",
        f"| median page | {statistics.median(times):.3f} | "
        f"{statistics.median(times) / baseline:.1f} |",
        f"| 95th percentile | {p95:.3f} | {p95 / baseline:.1f} |",
        f"| slowest page | {times[-1]:.3f} | {times[-1] / baseline:.1f} |",
        "",
        f"Pages over the {TARGET_SECONDS:.0f}-second target: {len(over)}.",
        "",
        "The ten slowest:",
        "",
        "| seconds | persona | page |",
        "|---:|---|---|",
    ]
    lines += [f"| {s:.3f} | {persona} | `{path}` |" for s, persona, path in seconds[-10:][::-1]]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        _setup(Path(folder) / "walk.sqlite3")
        text = as_markdown(*measure())
    print(text)
    if args.write:
        write_section(SECTION, text)


if __name__ == "__main__":
    main()
