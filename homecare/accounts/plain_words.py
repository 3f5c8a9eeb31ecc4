"""Words a council officer or a provider would not use, found in a page's visible text.

The pages speak to commissioners, brokers, finance officers and providers, so what the
engine and its sources call things must not leak onto them: references to the research
seeds, file formats and digests, raw place codes, slugs and codes in place of names, and
counts of one with a plural noun. :func:`internal_words_in` is the check; the tests of
every page (and the walk of every URL as every persona) call it on the HTML they get.

Only text a person sees is checked: not tags, attributes, scripts or styles. Text inside
``<code>`` is a file's column names, which a provider's systems must use as written, so the
check for programmers' names (``snake_case``) leaves it alone; every other check reads it.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import carecore

# (what it is, pattern). Each pattern is searched in the page's visible text.
FORBIDDEN: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a reference to a research seed", re.compile(r"\bseed\s*\d|\bseeds?\s+0\d\d", re.I)),
    ("a section sign", re.compile("§")),
    ("a file format name", re.compile(r"\b(?:TOML|Parquet)\b", re.I)),
    ("a digest", re.compile(r"\bSHA-?(?:1|256|512)\b", re.I)),
    ("a GeoNames id", re.compile(r"\bGN\d{4,}\b")),
    (
        "a zone's code instead of its name",
        re.compile(r"\bZone (?!(?:and|or|of|the|to|in|by|for|with|names?|is|was)\b)[a-z][\w-]*"),
    ),
    ("a slug instead of a title", re.compile(r"\b[a-z]+(?:-[a-z]+)*-(?:19|20)\d\d-\d\d\b")),
    (
        "one with a plural",
        re.compile(
            r"(?<![\d.,£-])\b1 (?:carer |contact |free |block |weekly )?"
            r"(?:hours|visits|days|weeks|months|minutes|packages|offers|requests|providers|"
            r"zones|areas|people|persons|carers|logs|rows|periods|exceptions|invoices|lines|"
            r"rounds|lots|appointments|applications|complaints|placements|bids|places)\b"
        ),
    ),
    ("Python's None shown as a value", re.compile(r"^None$")),
)
PLURAL = next(i for i, (what, _) in enumerate(FORBIDDEN) if what == "one with a plural")
# Checked outside <code> only (column names of a file layout are written as the file has them).
PROGRAMMERS_NAME = re.compile(r"\b[a-z]+_[a-z0-9_]+\b")

_HIDDEN = {"script", "style", "template", "noscript", "svg"}


class _Text(HTMLParser):
    """Collects visible text, one chunk per text node, noting whether it sits in <code>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[tuple[str, bool]] = []
        self._hidden = 0
        self._code = 0
        # Elements marked ``data-user-text`` hold what a person typed or uploaded (their own
        # file's name, the rules they wrote): their words, not the platform's.
        self._open: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _VOID:
            user = any(name == "data-user-text" for name, _ in attrs)
            self._open.append((tag, user))
            if user:
                self._hidden += 1
        if tag in _HIDDEN:
            self._hidden += 1
        elif tag in ("code", "kbd", "samp"):
            self._code += 1

    def handle_endtag(self, tag: str) -> None:
        while tag in (open_tag for open_tag, _ in self._open):
            open_tag, user = self._open.pop()
            self._hidden -= int(user)
            if open_tag == tag:
                break
        if tag in _HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in ("code", "kbd", "samp"):
            self._code = max(0, self._code - 1)

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.chunks.append((" ".join(data.split()), bool(self._code)))


_VOID = frozenset(
    ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr")
)


def visible_text(html: str) -> list[tuple[str, bool]]:
    """The page's text nodes a reader sees, each with True when it is inside ``<code>``."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return parser.chunks


@cache
def shipped_names() -> re.Pattern[str]:
    """The names of the data files the engine ships (rate cards, contract rules, scenarios),
    which are slugs for the command line and the API, never words for a page."""
    root = Path(carecore.__file__).parent
    names = sorted(
        {path.stem for path in root.glob("*/data/**/*.toml") if "-" in path.stem},
        key=len,
        reverse=True,
    )
    return re.compile(r"(?<![\w/.-])(?:" + "|".join(map(re.escape, names)) + r")(?![\w-])")


def internal_words_in(html: str) -> list[str]:
    """Every internal word in the page's visible text, as "what it is: the words found".

    An empty list means the page speaks plainly. Each finding is reported once.
    """
    found: list[str] = []
    chunks = visible_text(html)
    for text, in_code in chunks:
        for what, pattern in FORBIDDEN:
            for match in pattern.finditer(text):
                found.append(f"{what}: {match.group(0).strip()!r} in {text[:120]!r}")
        for match in shipped_names().finditer(text):
            found.append(f"a shipped file's name: {match.group(0)!r} in {text[:120]!r}")
        if not in_code:
            for match in PROGRAMMERS_NAME.finditer(text):
                found.append(f"a programmer's name: {match.group(0)!r} in {text[:120]!r}")
    # A count and its noun may sit in different elements ("<strong>1</strong> hours").
    joined = " ".join(text for text, _ in chunks)
    what, plural = FORBIDDEN[PLURAL]
    for match in plural.finditer(joined):
        start = max(0, match.start() - 60)
        found.append(f"{what}: {match.group(0)!r} in {joined[start : match.end() + 60]!r}")
    return list(dict.fromkeys(found))


# The reports the shipped data comes from, as a council officer would cite them.
SOURCES = {
    "000": "Leicestershire County Council's report to its Adults and Communities Overview "
    "and Scrutiny Committee, 18 January 2021",
    "001": "Leeds City Council's report to its Executive Board, 19 November 2014",
    "002": "Leicestershire County Council's update to its Adults and Communities Overview "
    "and Scrutiny Committee on domiciliary care",
    "003": "the London Borough of Merton's report to its Healthier Communities and Older "
    "People Overview and Scrutiny Panel, 6 September 2022",
    "004": "Rotherham Metropolitan Borough Council's report on home care and support",
}
_SEED = re.compile(
    r"\b(?:the\s+)?seed\s+(\d{3})(?:_[0-9a-f]+(?:\.txt)?)?"
    r"(?:,?\s+(?:paragraph|para\.?|§)\s*([\d.]*\d))?",
    re.I,
)


def plain_source(text: str) -> str:
    """``text`` with each reference to a research seed ("seed 000 paragraph 14") replaced by
    the report it stands for ("... 18 January 2021, paragraph 14")."""

    def cite(match: re.Match[str]) -> str:
        report = SOURCES.get(match.group(1), "a council's published report")
        paragraph = f", paragraph {match.group(2)}" if match.group(2) else ""
        return f"{report}{paragraph}"

    cited = _SEED.sub(cite, text)
    return cited[:1].upper() + cited[1:] if cited else cited


# The shipped contract rules, as a finance officer would call them.
RULES_TITLES = {
    "rotherham-actual": "paid on the time actually delivered",
    "planned-within-tolerance": "paid on planned time when the visit was close to plan",
}


def rules_title(name: str) -> str:
    """Contract rules' name in words: "rotherham-actual" is "paid on the time actually
    delivered"; a council's own rules keep their name, hyphens as spaces."""
    return RULES_TITLES.get(name, name.replace("-", " ").replace("_", " "))


TIER_WORDS = {"back_up": "back-up", "spot": "contingency (spot)"}


def tier_words(tier: str) -> str:
    """A provider's tier as people say it: "back_up" is "back-up"."""
    return TIER_WORDS.get(tier, tier.replace("_", " "))


def plural(count: int | Decimal | str, singular: str, plural_form: str | None = None) -> str:
    """``count`` and the noun that agrees with it: "1 carer hour", "2.5 carer hours",
    "1,200 visits" (trailing zeros of a decimal dropped: 7.50 is "7.5")."""
    number = Decimal(count)
    whole = number == number.to_integral()
    shown = f"{int(number):,}" if whole else f"{number.normalize():f}"
    noun = singular if number == 1 else (plural_form or f"{singular}s")
    return f"{shown} {noun}"
