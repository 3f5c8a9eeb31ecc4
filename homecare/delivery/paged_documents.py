"""Long documents (invoices, remittances, recharges) laid out page by page, fast.

A document is a first-page summary (HTML from a template, laid out by WeasyPrint) and
sections of lines. WeasyPrint lays out a table at about 18 ms a row, so a 3,560-line invoice
took a minute; here each page's lines are one block of fixed-width text (columns padded in
Python, numbers right-aligned), about 2 ms a row. Because every row is one text line of
known height, the pages are cut in Python: each page knows its number ("Page 5 of 110")
before it is laid out, so the pages can be laid out a few at a time (progress for a
background build) and put together at the end.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string

GAP = "  "
# Text lines a page holds: 8pt type on 11pt lines, with room to spare for the rules between
# groups of rows; a section heading (HEADING) and the column headings (HEAD) count as lines.
LANDSCAPE_LINES = 44
PORTRAIT_LINES = 64
# Rows are printed in groups of this many with a light rule under each, to guide the eye
# along a wide line (a rule under every row, or shading, doubles the time to draw a page).
GROUP = 5
HEADING = 3
HEAD = 2
MAX_ROW_LINES = 12
PAGES_PER_PART = 10

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Column:
    heading: str
    width: int
    right: bool = False


def fit(text: Any, width: int, right: bool = False) -> str:
    """``text`` in exactly ``width`` characters: padded, or cut with an ellipsis."""
    words = " ".join(str(text if text is not None else "").split())
    if len(words) > width:
        words = words[: width - 1].rstrip() + "…"
    return words.rjust(width) if right else words.ljust(width)


def text_line(columns: Sequence[Column], values: Sequence[Any]) -> str:
    return GAP.join(fit(v, c.width, c.right) for c, v in zip(columns, values, strict=True))


def line_width(columns: Sequence[Column]) -> int:
    return sum(c.width for c in columns) + len(GAP) * (len(columns) - 1)


def closing_line(columns: Sequence[Column], label: str, amount: str) -> str:
    """A label across every column but the last, and ``amount`` under the last."""
    last = columns[-1].width
    return fit(label, line_width(columns) - last - len(GAP)) + GAP + fit(amount, last, True)


def note_lines(columns: Sequence[Column], label: str, text: str, indent: int = 4) -> list[str]:
    """``label`` and ``text`` wrapped under a row, indented, across the row's width."""
    width = line_width(columns) - indent
    wrapped = textwrap.wrap(f"{label}{' '.join(text.split())}", width) or [label]
    return [" " * indent + line for line in wrapped]


@dataclass
class Section:
    """Rows under a heading: each row is one or more text lines, kept on one page."""

    heading: str
    columns: tuple[Column, ...]
    rows: list[list[str]] = field(default_factory=list)
    closing: list[str] = field(default_factory=list)
    empty: str = ""

    def add(self, values: Sequence[Any], *notes: str) -> None:
        self.rows.append([text_line(self.columns, values), *notes])


@dataclass
class PagedDocument:
    """What a template needs to lay out a summary and pages of sections.

    The template is rendered with ``context`` plus ``summary`` (True for the first part),
    ``pages`` (each a list of blocks: heading, head, text, closing), ``page_count`` and
    ``title`` (the running footer).
    """

    template: str
    title: str
    context: dict[str, Any]
    sections: list[Section]
    lines_per_page: int = LANDSCAPE_LINES


def paginate(document: PagedDocument) -> list[dict[str, Any]]:
    """The sections cut into pages; a row never splits, and each page repeats its section's
    heading and column headings."""
    cap = document.lines_per_page
    pages: list[list[dict[str, Any]]] = [[]]
    used = 0

    def start(section: Section, heading: str) -> dict[str, Any]:
        nonlocal used
        block = {
            "heading": heading,
            "head": text_line(section.columns, _heads(section)),
            "rows": [],
        }
        pages[-1].append(block)
        used += HEADING + HEAD
        return block

    def turn() -> None:
        nonlocal used
        pages.append([])
        used = 0

    for section in document.sections:
        rows = [row[:MAX_ROW_LINES] for row in section.rows] or [[section.empty]]
        if pages[-1] and used + HEADING + HEAD + len(rows[0]) > cap:
            turn()
        block = start(section, section.heading)
        for row in rows:
            if used + len(row) > cap:
                turn()
                block = start(section, f"{section.heading} (continued)")
            block["rows"].append(row)
            used += len(row)
        if section.closing:
            if used + len(section.closing) + 1 > cap:
                turn()
                block = start(section, f"{section.heading} (continued)")
            block["closing"] = "\n".join(section.closing)
            used += len(section.closing) + 1
    return [{"blocks": [_grouped(b) for b in blocks]} for blocks in pages if blocks]


def _grouped(block: dict[str, Any]) -> dict[str, Any]:
    """A block's rows as text, ``GROUP`` rows a piece; ``lines`` counts its text lines."""
    rows = block.pop("rows")
    groups = [
        "\n".join(line for row in rows[i : i + GROUP] for line in row)
        for i in range(0, len(rows), GROUP)
    ]
    return {**block, "groups": groups, "lines": sum(len(row) for row in rows)}


def _heads(section: Section) -> list[str]:
    return [c.heading for c in section.columns]


def _parts(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def lay_out(
    document: PagedDocument,
    *,
    on_progress: Progress | None = None,
    pages_per_part: int = PAGES_PER_PART,
) -> Any:
    """The laid-out WeasyPrint document: the summary, then the pages a few at a time
    (``on_progress(pages done, pages in all)`` after each part)."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    pages = paginate(document)

    def render(**values: Any) -> Any:
        html = render_to_string(
            document.template, {**document.context, "title": document.title, **values}
        )
        return HTML(string=html).render(font_config=fonts)

    summary = render(summary=True, pages=[], page_count=len(pages) + 1)
    if len(summary.pages) != 1:  # a long summary: number its pages again
        summary = render(summary=True, pages=[], page_count=len(pages) + len(summary.pages))
    offset = len(summary.pages)
    total = offset + len(pages)
    for number, page in enumerate(pages, start=offset + 1):
        page["number"] = number
    laid = list(summary.pages)
    if on_progress:
        on_progress(len(laid), total)
    for part in _parts(pages, pages_per_part):
        done = render(summary=False, pages=part, page_count=total)
        if len(done.pages) != len(part):
            raise RuntimeError(f"{len(part)} pages of lines took {len(done.pages)} pages")
        laid += done.pages
        if on_progress:
            on_progress(len(laid), total)
    return summary.copy(laid)


def pdf_bytes(document: PagedDocument, *, on_progress: Progress | None = None) -> bytes:
    return bytes(lay_out(document, on_progress=on_progress).write_pdf())
