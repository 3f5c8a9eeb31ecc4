"""The engine must stay free of Django so it can run anywhere (a notebook, a Dask worker)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def _modules_loaded_after(code: str) -> set[str]:
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


def _engine_packages() -> list[str]:
    return sorted(
        f"carecore.{path.name}"
        for path in (REPO_ROOT / "carecore").iterdir()
        if (path / "__init__.py").is_file()
    )


def test_importing_every_engine_package_never_loads_django() -> None:
    packages = _engine_packages()
    assert packages, "carecore has no sub-packages to import"
    imports = "\n".join(f"import {name}" for name in ["carecore", *packages])
    loaded = _modules_loaded_after(imports)
    assert set(packages) <= loaded
    assert not any(name == "django" or name.startswith("django.") for name in loaded)


def test_the_probe_would_notice_django_if_it_were_loaded() -> None:
    loaded = _modules_loaded_after("import carecore\nimport django")
    assert "django" in loaded
