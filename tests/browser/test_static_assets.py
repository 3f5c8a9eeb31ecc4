"""GOV.UK Frontend is copied from node_modules, served locally, without GOV.UK-only parts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from homecare.build_static import FILES, SOURCE, build, is_built, rewrite_stylesheet

needs_npm = pytest.mark.skipif(
    not (SOURCE / FILES[0]).is_file(), reason="node_modules/govuk-frontend is not installed"
)


def test_asset_urls_become_relative_to_the_stylesheet() -> None:
    css = "a{background:url(/assets/images/x.svg)}@font-face{src:url(/assets/fonts/y.woff2)}"
    assert rewrite_stylesheet(css) == (
        "a{background:url(assets/images/x.svg)}@font-face{src:url(assets/fonts/y.woff2)}"
    )


def test_the_gov_uk_only_font_is_replaced_by_arial() -> None:
    css = "p{font-family:GDS Transport,arial,sans-serif}i{font-family:GDS Transport}"
    assert rewrite_stylesheet(css) == "p{font-family:arial,sans-serif}i{font-family:arial}"


@needs_npm
def test_the_build_copies_the_stylesheet_script_and_assets(tmp_path: Path) -> None:
    target = tmp_path / "govuk-frontend"
    files = build(target=target)
    assert is_built(target)
    names = {path.relative_to(target).as_posix() for path in files}
    assert {"govuk-frontend.min.css", "govuk-frontend.min.js", "assets/manifest.json"} <= names
    css = (target / "govuk-frontend.min.css").read_text()
    assert "GDS Transport" not in css and "url(/assets/" not in css
    references = set(re.findall(r"url\(([^)]+)\)", css))
    assert references, "the stylesheet should reference its fonts and images"
    for reference in references:
        assert (target / reference).is_file(), reference


def test_a_missing_node_modules_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="npm install"):
        build(source=tmp_path / "nowhere", target=tmp_path / "out")


@pytest.mark.skipif(
    not (Path(__file__).resolve().parents[2] / "node_modules" / "htmx.org").is_dir(),
    reason="node_modules/htmx.org is not installed",
)
def test_htmx_is_copied_without_its_source_map_comment(tmp_path: Path) -> None:
    from homecare.build_static import HTMX_SOURCE, build_htmx

    copy = build_htmx(target=tmp_path / "htmx" / "htmx.min.js")
    script = copy.read_text()
    assert "htmx" in script and "sourceMappingURL" not in script
    assert len(script) > len(HTMX_SOURCE.read_text()) * 0.9


def test_a_missing_htmx_is_a_clear_error(tmp_path: Path) -> None:
    from homecare.build_static import build_htmx

    with pytest.raises(FileNotFoundError, match="npm install"):
        build_htmx(source=tmp_path / "nowhere.js", target=tmp_path / "out.js")
