"""A council's creditor payment file layout: its own (a :class:`LedgerLayout`), else the
shipped default (``layouts/default.toml``), checked against the council's zones and the
platform's providers so a cost centre or supplier code that would never be used is refused
by name before it is saved.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from carecore.ledger import Layout, parse_layout
from homecare.commissioning.models import Provider, Zone
from homecare.finance.models import LedgerLayout

DEFAULT_LAYOUT = Path(__file__).resolve().parent / "layouts" / "default.toml"
MAX_LAYOUT_CHARACTERS = 100_000


@cache
def default_layout_text() -> str:
    """The shipped default layout, as text."""
    return DEFAULT_LAYOUT.read_text(encoding="utf-8")


def zone_codes(council: Any) -> set[str]:
    return set(Zone.objects.filter(council=council).values_list("code", flat=True))


def provider_keys() -> set[str]:
    """Every provider's name and CQC location ID: the keys [suppliers] may use."""
    keys: set[str] = set()
    for name, cqc in Provider.objects.values_list("name", "cqc_location_id"):
        keys.add(name)
        if cqc:
            keys.add(cqc)
    return keys


def check_layout(council: Any, text: str) -> Layout:
    """The layout in ``text``, checked for the council; LayoutError naming the key at fault."""
    return parse_layout(text, zones=zone_codes(council), providers=provider_keys())


def stored_layout(council: Any) -> LedgerLayout | None:
    return LedgerLayout.objects.filter(council=council).select_related("updated_by").first()


def layout_text_for(council: Any) -> str:
    """The council's own layout's text, else the shipped default's."""
    stored = stored_layout(council)
    return stored.text if stored is not None else default_layout_text()


def layout_for(council: Any) -> tuple[Layout, str]:
    """The council's layout, read, and its text (what an export keeps beside the file)."""
    text = layout_text_for(council)
    return parse_layout(text), text
