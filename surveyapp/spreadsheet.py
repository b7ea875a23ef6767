"""Cells for spreadsheets: text a spreadsheet would run as a formula is written as text.

Excel, LibreOffice and Google Sheets evaluate a CSV field or a typed cell that starts with
``=``, ``+``, ``-`` or ``@`` (also after a leading tab or carriage return, and in their
full-width forms) as a formula: a citizen's answer ``=HYPERLINK("http://evil.example","x")``
would become a live link in an evaluator's export, and an invitation token starting with ``-``
shows ``#NAME?``. Every CSV and XLSX writer of the application passes its cells through here:

- CSV: such text gets a leading apostrophe (OWASP's advice), which spreadsheets hide and which
  keeps the rest of the text exactly as typed;
- XLSX: every text cell is a string cell (openpyxl would store text starting with ``=`` as a
  formula), marked "quote prefix" when it looks like a formula so that editing it keeps it text.

Numbers stay numbers, and text that is just a number (``-2``, ``+3.5``) is left alone: a
spreadsheet reads it as that number, never as a formula.
"""

import re

FORMULA_STARTS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
# Characters spreadsheets skip before deciding that a field is a formula.
_SKIPPED = "\t\r\n"
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def looks_like_formula(text):
    """True when a spreadsheet would evaluate ``text`` (a str) as a formula."""
    stripped = text.lstrip(_SKIPPED)
    if stripped != text and stripped[:1] != "":
        return True
    if stripped[:1] not in FORMULA_STARTS:
        return False
    return _PLAIN_NUMBER.fullmatch(stripped) is None


def csv_cell(value):
    """A value ready for ``csv.writer``: None as empty, formula-like text neutralised."""
    if value is None:
        return ""
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


def csv_row(values):
    """:func:`csv_cell` over a row."""
    return [csv_cell(v) for v in values]


def xlsx_row(sheet, values):
    """A row for a write-only openpyxl ``sheet``: formula-like text as quoted string cells."""
    return [_xlsx_cell(sheet, v) if isinstance(v, str) else v for v in values]


def _xlsx_cell(sheet, text):
    if not looks_like_formula(text):
        # openpyxl only turns text starting with "=" into a formula, and that is caught above.
        return text
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, text)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell
