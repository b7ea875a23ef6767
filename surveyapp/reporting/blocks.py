"""A small document model shared by the DOCX and Markdown writers.

A report is composed once as a list of blocks; each writer renders the same list, so the two
formats never drift apart. Tables and figures are numbered here (表1…, 图1…).
"""

from dataclasses import dataclass
from dataclasses import field


@dataclass(frozen=True)
class Cover:
    """The cover page: title, subtitle lines and the date line."""

    title: str
    lines: tuple[str, ...] = ()
    date: str = ""


@dataclass(frozen=True)
class Contents:
    """A table of contents (a TOC field in DOCX)."""

    title: str = "目  录"


@dataclass(frozen=True)
class Heading:
    """A numbered section heading (level 1 or 2)."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph; ``note`` paragraphs are smaller and not indented."""

    text: str
    note: bool = False


@dataclass(frozen=True)
class Table:
    """A numbered table: caption (without the number), headers, rows, and which columns are numbers."""

    number: int
    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...] = ()
    # Row indices shown in bold (subtotals, the total).
    bold_rows: tuple[int, ...] = ()
    note: str = ""
    # Columns whose empty cells continue the cell above (merged vertically in DOCX).
    merge_down: tuple[int, ...] = ()

    @property
    def label(self):
        return f"表{self.number}"


@dataclass(frozen=True)
class Figure:
    """A numbered figure: PNG bytes, caption (without the number) and a file stem for Markdown."""

    number: int
    caption: str
    png: bytes
    stem: str
    width_cm: float = 15.0

    @property
    def label(self):
        return f"图{self.number}"


@dataclass(frozen=True)
class PageBreak:
    """Start a new page."""


@dataclass
class Document:
    """An ordered list of blocks with running table and figure numbers."""

    title: str
    blocks: list = field(default_factory=list)
    tables: int = 0
    figures: int = 0

    def add(self, block):
        """Append a block and return it."""
        self.blocks.append(block)
        return block

    def heading(self, text, level=1):
        """Append a heading."""
        return self.add(Heading(text, level))

    def paragraph(self, text, note=False):
        """Append a paragraph (skipped when empty); multi-line text becomes several paragraphs."""
        for line in str(text or "").splitlines():
            if line.strip():
                self.add(Paragraph(line.strip(), note))

    def table(self, caption, headers, rows, numeric=(), bold_rows=(), note="", merge_down=()):
        """Append the next numbered table."""
        self.tables += 1
        rows = tuple(tuple("–" if c is None else str(c) for c in row) for row in rows)
        return self.add(
            Table(
                self.tables,
                caption,
                tuple(headers),
                rows,
                tuple(numeric),
                tuple(bold_rows),
                note,
                tuple(merge_down),
            )
        )

    def figure(self, caption, png, stem, width_cm=15.0):
        """Append the next numbered figure."""
        self.figures += 1
        return self.add(Figure(self.figures, caption, png, stem, width_cm))
