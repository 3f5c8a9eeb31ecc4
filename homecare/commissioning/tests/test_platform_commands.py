"""`homecare serve` and `homecare load-demo`: Django is set up only when they run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from homecare.cli import app

REPO_ROOT = Path(__file__).resolve().parents[3]


def test_the_platform_commands_module_does_not_import_django() -> None:
    code = "import homecare.commands.platform, sys; print('django' in sys.modules)"
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == "False"


def test_serve_offers_a_port_option() -> None:
    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0
    assert "--port" in result.output and "8000" in result.output


def test_serve_refuses_a_port_out_of_range() -> None:
    result = CliRunner().invoke(app, ["serve", "--port", "70000"])
    assert result.exit_code == 2


def test_serve_migrates_then_runs_the_server_on_localhost(monkeypatch: Any) -> None:
    calls: list[tuple[Any, ...]] = []
    monkeypatch.setattr(
        "django.core.management.call_command", lambda *args, **kw: calls.append(args)
    )
    result = CliRunner().invoke(app, ["serve", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert calls == [("migrate",), ("runserver", "127.0.0.1:8123")]


@pytest.mark.django_db
def test_load_demo_prints_the_sign_ins(settings: Any) -> None:
    result = CliRunner().invoke(app, ["load-demo"])
    assert result.exit_code == 0, result.output
    assert "commissioner" in result.output and "homecare-demo" in result.output
