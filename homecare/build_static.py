"""Copy GOV.UK Frontend's and htmx's built files from node_modules into homecare/static/vendor/.

Run by ``make static`` (``python -m homecare.build_static``). The pages then need no CDN:
WhiteNoise serves everything from the project. The copy is generated and gitignored.

Two rewrites are made to the stylesheet, both for reasons outside GOV.UK Frontend's control:

- Its ``url(/assets/...)`` references assume the assets sit at the site root; ours sit beside
  the stylesheet under ``/static/vendor/govuk-frontend/``, so the URLs are made relative.
- The GDS Transport font may only be used on GOV.UK itself. This is a council's service, so
  the font is dropped from every ``font-family`` list and Arial (Frontend's own fallback, the
  font the Design System tells services off GOV.UK to use) takes its place.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SOURCE = REPO_ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"
TARGET = REPO_ROOT / "homecare" / "static" / "vendor" / "govuk-frontend"
FILES = ("govuk-frontend.min.css", "govuk-frontend.min.js")
# htmx refreshes the live parts of pages (the broker's waiting list); pages work without it.
HTMX_SOURCE = REPO_ROOT / "node_modules" / "htmx.org" / "dist" / "htmx.min.js"
HTMX_TARGET = REPO_ROOT / "homecare" / "static" / "vendor" / "htmx" / "htmx.min.js"


def rewrite_stylesheet(css: str) -> str:
    """The stylesheet with relative asset URLs and without the GOV.UK-only font."""
    css = css.replace("url(/assets/", "url(assets/")
    css = css.replace("font-family:GDS Transport,arial,sans-serif", "font-family:arial,sans-serif")
    css = css.replace("font-family:GDS Transport", "font-family:arial")
    # The source map comment would make browsers and WhiteNoise look for a file we do not ship.
    return css.replace("/*# sourceMappingURL=govuk-frontend.min.css.map */", "")


def build(source: Path = SOURCE, target: Path = TARGET) -> list[Path]:
    """Copy the stylesheet, script and assets from ``source`` to ``target``; return the files."""
    if not (source / FILES[0]).is_file():
        raise FileNotFoundError(
            f"{source / FILES[0]} is missing: run `npm install` (or `make setup`) first"
        )
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    css = (source / FILES[0]).read_text(encoding="utf-8")
    (target / FILES[0]).write_text(rewrite_stylesheet(css), encoding="utf-8")
    script = (source / FILES[1]).read_text(encoding="utf-8")
    (target / FILES[1]).write_text(
        script.replace("//# sourceMappingURL=govuk-frontend.min.js.map", ""), encoding="utf-8"
    )
    shutil.copytree(source / "assets", target / "assets")
    return sorted(path for path in target.rglob("*") if path.is_file())


def build_htmx(source: Path = HTMX_SOURCE, target: Path = HTMX_TARGET) -> Path:
    """Copy htmx's minified script (without its source map comment); return the copy."""
    if not source.is_file():
        raise FileNotFoundError(f"{source} is missing: run `npm install` (or `make setup`) first")
    target.parent.mkdir(parents=True, exist_ok=True)
    script = source.read_text(encoding="utf-8")
    target.write_text(re.sub(r"//# sourceMappingURL=\S+\s*$", "", script), encoding="utf-8")
    return target


def is_built(target: Path = TARGET, htmx: Path = HTMX_TARGET) -> bool:
    """True when the vendor copy is in place (the browser tests build it when it is not)."""
    return all((target / name).is_file() for name in FILES) and htmx.is_file()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quiet", action="store_true", help="print nothing on success")
    args = parser.parse_args(argv)
    try:
        files = build()
        htmx = build_htmx()
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not args.quiet:
        print(f"Copied {len(files)} GOV.UK Frontend files to {TARGET.relative_to(REPO_ROOT)}")
        print(f"Copied htmx to {htmx.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
