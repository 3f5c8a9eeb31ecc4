"""The ECM engine is pure: importing it never loads Django."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def _loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint('\\n'.join(sorted(sys.modules)))"
    completed = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "", "PYTHONPATH": str(REPO_ROOT)},
    )
    return set(completed.stdout.split())


def test_importing_carecore_ecm_does_not_load_django() -> None:
    loaded = _loaded_after("import carecore.ecm")
    assert "carecore.ecm.reconcile" in loaded
    assert "polars" in loaded
    assert not any(name == "django" or name.startswith("django.") for name in loaded)


def test_the_check_would_see_django_if_it_were_loaded() -> None:
    assert "django" in _loaded_after("import carecore.ecm\nimport django")
