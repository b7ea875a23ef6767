"""Export writers: CSV (UTF-8 with BOM), JSON (array) and JSON lines, XLSX with a codebook, SPSS, Stata.

CSV, JSON and XLSX stream: rows come from :func:`.rows.iter_rows` a chunk at a time and are
written straight out (XLSX through openpyxl's write-only mode), so memory stays flat. pyreadstat
has no row-append for .sav/.dta (``write_sav``/``write_dta`` take one DataFrame), so those build
one numpy array per column with compact dtypes (float32 for codes, which hold NaN) -- about
4 bytes per cell plus the text columns -- and write once.
"""

import csv
import io
import json
import os
import tempfile

import numpy as np
import pandas as pd

from ..spreadsheet import csv_row
from ..spreadsheet import xlsx_row
from .timestamps import local_naive

FORMATS = ("csv", "xlsx", "sav", "dta", "json", "jsonl")
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "jsonl": "application/x-ndjson",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sav": "application/x-spss-sav",
    "dta": "application/x-stata-dta",
}
BUFFER_ROWS = 500
# Formats whose files carry value labels themselves: with labels they keep the codes.
VALUE_LABEL_FORMATS = ("sav", "dta")
# SPSS measurement levels of the columns that are not answer codes (those have their own).
MEASURES = {"id": "nominal", "text": "nominal", "flag": "nominal", "code": "nominal"}


def _json_default(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return None if np.isnan(value) else float(value)
    return str(value)


def csv_chunks(columns, rows):
    """Yield CSV text (UTF-8 BOM first so Excel reads Chinese correctly), a few hundred rows at a time."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    buf.write("\ufeff")
    writer.writerow(csv_row([c.name for c in columns]))
    for i, row in enumerate(rows, start=1):
        writer.writerow(csv_row(row))
        if i % BUFFER_ROWS == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def json_chunks(columns, rows, lines=False):
    """Yield a JSON array of objects (or JSON lines with ``lines``), streamed."""
    names = [c.name for c in columns]
    parts = [] if lines else ["["]
    first = True
    for i, row in enumerate(rows, start=1):
        text = json.dumps(dict(zip(names, row)), ensure_ascii=False, default=_json_default)
        if lines:
            parts.append(text + "\n")
        else:
            parts.append(("" if first else ",\n") + text)
        first = False
        if i % BUFFER_ROWS == 0:
            yield "".join(parts)
            parts = []
    if not lines:
        parts.append("]\n")
    yield "".join(parts)


def codebook_rows(columns):
    """(variable, label, type, value labels) per column.

    A value label reads ``code=label``; for a choice with a name (written in the cells in place
    of its code) ``name (code)=label``.
    """
    return [(c.name, c.label, c.kind, _value_labels(c)) for c in columns]


def _value_labels(column):
    return "; ".join(
        f"{column.names[k]} ({k})={v}" if k in column.names else f"{k}={v}"
        for k, v in column.value_labels.items()
    )


def write_xlsx(columns, rows, path):
    """Write the responses sheet and a codebook sheet with openpyxl's write-only mode.

    Text that looks like a formula is written as a quoted string cell (:mod:`surveyapp.spreadsheet`).
    """
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    data = wb.create_sheet("responses")
    data.append(xlsx_row(data, [c.name for c in columns]))
    for row in rows:
        data.append(xlsx_row(data, row))
    book = wb.create_sheet("codebook")
    book.append(["variable", "label", "type", "value labels"])
    for line in codebook_rows(columns):
        book.append(xlsx_row(book, line))
    wb.save(path)


def _frame(columns, rows):
    """Per-column numpy arrays with compact dtypes (float32 codes, float64 numbers, text objects)."""
    chunks = {c.name: [] for c in columns}
    block = []

    def flush():
        if not block:
            return
        cols = list(zip(*block))
        for c, values in zip(columns, cols):
            if c.kind in ("code", "flag"):
                arr = np.array([np.nan if v is None else v for v in values], dtype=np.float32)
            elif c.kind in ("number", "weight", "id"):
                arr = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
            elif c.kind == "datetime":
                arr = np.array(
                    [np.datetime64("NaT") if v is None else local_naive(v) for v in values],
                    dtype="datetime64[us]",
                )
            else:
                arr = np.array(["" if v is None else str(v) for v in values], dtype=object)
            chunks[c.name].append(arr)
        block.clear()

    for row in rows:
        block.append(row)
        if len(block) >= 5000:
            flush()
    flush()
    data = {}
    for c in columns:
        parts = chunks[c.name]
        if parts:
            data[c.name] = np.concatenate(parts)
        elif c.kind == "datetime":
            data[c.name] = np.array([], dtype="datetime64[us]")
        else:
            data[c.name] = np.array([], dtype=object if c.kind == "text" else np.float64)
    return pd.DataFrame(data, copy=False)


def write_stats(columns, rows, path, fmt):
    """Write an SPSS .sav or Stata .dta file with variable and value labels (pyreadstat).

    Codes stay numbers with value labels. Non-substantive codes (``substantive: false``) are
    user-missing values in SPSS and extended missing values ``.a``, ``.b``, ... in Stata (their
    labels kept). Timestamps are date-times in the export zone (named in the column label).
    SPSS also gets each column's measurement level; Stata has none.
    """
    import pyreadstat

    frame = _frame(columns, rows)
    labels = {c.name: c.label[:80] if fmt == "dta" else c.label for c in columns}
    value_labels = {
        c.name: {float(k): str(v) for k, v in c.value_labels.items()}
        for c in columns
        if c.value_labels and c.kind in ("code", "flag")
    }
    if fmt == "sav":
        pyreadstat.write_sav(
            frame,
            path,
            column_labels=labels,
            variable_value_labels=value_labels,
            missing_ranges={c.name: _sav_missing(c) for c in columns if c.missing},
            variable_measure={c.name: _measure(c) for c in columns},
            variable_format={c.name: "F8.0" for c in columns if c.kind in ("code", "flag")},
            row_compress=True,
        )
    else:
        # Stata value labels must be integers; codes are stored as floats with integer values.
        stata_labels = {k: {int(c): v for c, v in d.items()} for k, d in value_labels.items()}
        missing = {}
        for c in columns:
            if c.missing and c.kind == "code":
                letters = _dta_missing(frame, c)
                missing[c.name] = list(letters.values())
                for code, letter in letters.items():
                    stata_labels[c.name][letter] = stata_labels[c.name].pop(int(code))
        pyreadstat.write_dta(
            frame,
            path,
            column_labels=labels,
            version=15,
            variable_value_labels=stata_labels,
            missing_user_values=missing or None,
        )


def _measure(column):
    if column.kind == "code":
        return column.measure
    return MEASURES.get(column.kind, "scale")


def _sav_missing(column):
    """SPSS allows three discrete missing values, or one range and one value."""
    codes = sorted(column.missing)
    if len(codes) <= 3:
        return codes
    substantive = set(column.value_labels) - set(codes)
    if any(codes[0] <= code <= codes[-1] for code in substantive):
        raise ValueError(
            f"{column.name}: SPSS cannot mark more than three scattered non-substantive codes "
            f"{codes} as missing"
        )
    return [{"lo": codes[0], "hi": codes[-1]}]


def _dta_missing(frame, column):
    """Put Stata's extended missing letters (.a, .b, ... in code order) in place of the
    non-substantive codes of ``column``; returns ``{code: letter}``."""
    letters = {code: chr(ord("a") + i) for i, code in enumerate(sorted(column.missing))}
    values = frame[column.name].astype(object)
    for code, letter in letters.items():
        values[frame[column.name] == code] = letter
    frame[column.name] = values
    return letters


def write(fmt, columns, rows, path):
    """Write ``rows`` in format ``fmt`` to ``path``."""
    if fmt in ("csv", "json", "jsonl"):
        chunks = (
            csv_chunks(columns, rows)
            if fmt == "csv"
            else json_chunks(columns, rows, fmt == "jsonl")
        )
        with open(path, "w", encoding="utf-8", newline="") as fh:
            for chunk in chunks:
                fh.write(chunk)
    elif fmt == "xlsx":
        write_xlsx(columns, rows, path)
    elif fmt in ("sav", "dta"):
        write_stats(columns, rows, path, fmt)
    else:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")


def file_chunks(path, size=256 * 1024):
    """Yield a file's bytes and delete it afterwards (for downloads written to a temporary file)."""
    try:
        with open(path, "rb") as fh:
            while True:
                block = fh.read(size)
                if not block:
                    break
                yield block
    finally:
        os.unlink(path)


def temporary_path(suffix):
    """A fresh temporary file name (the caller writes it, :func:`file_chunks` removes it)."""
    fd, path = tempfile.mkstemp(suffix=suffix)
    os.close(fd)
    return path
