"""The raw sheets of an XLSForm: what the tool refuses (by sheet, row and column), where each
question and choice is, and which language a text column is in."""

import re

from flask_babel import lazy_gettext as _l

SUPPORTED_TYPES = re.compile(
    r"^(select_one|select one|select_multiple|select all that apply|select multiple)\s+\S+$"
    r"|^(integer|int|decimal|text|note|begin_group|begin group|end_group|end group)$"
)
# Metadata pyxform records on the device; the tool records start and submission times itself.
METADATA_TYPES = {
    "start",
    "end",
    "today",
    "deviceid",
    "username",
    "audit",
    "simserial",
    "phonenumber",
}
NO_REPEATS = _l("repeat groups are not supported")
NO_CALCULATIONS = _l("calculations are not supported")
NO_MEDIA = _l("media (images, audio, video) are not supported")
UNSUPPORTED = {
    "begin_repeat": NO_REPEATS,
    "begin repeat": NO_REPEATS,
    "calculate": NO_CALCULATIONS,
}
UNSUPPORTED_COLUMNS = {
    "choice_filter": _l("cascading choices (choice_filter) are not supported"),
    "calculation": NO_CALCULATIONS,
    "repeat_count": NO_REPEATS,
    "image": NO_MEDIA,
    "audio": NO_MEDIA,
    "video": NO_MEDIA,
    "media::image": NO_MEDIA,
    "media::audio": NO_MEDIA,
    "media::video": NO_MEDIA,
}
_LANGUAGE_CODE = re.compile(r"\((zh|en)(?:[-_][A-Za-z]+)?\)\s*$", re.IGNORECASE)
_LANGUAGE_NAMES = {
    "zh": "zh",
    "zh-cn": "zh",
    "zh_cn": "zh",
    "chinese": "zh",
    "中文": "zh",
    "简体中文": "zh",
    "en": "en",
    "english": "en",
}


class Problems(list):
    """Problems found in a workbook, each located by sheet, row and column."""

    def add(self, sheet, row, column, message):
        """Add ``message`` located by sheet, row and column (in the user's language)."""
        if row is not None and column:
            where = _l(
                "%(sheet)s sheet, row %(row)d, column %(column)s",
                sheet=sheet,
                row=row,
                column=column,
            )
        elif row is not None:
            where = _l("%(sheet)s sheet, row %(row)d", sheet=sheet, row=row)
        else:
            where = _l("%(sheet)s sheet, column %(column)s", sheet=sheet, column=column)
        self.append(f"{where}: {message}")


def language_of(column_language, default):
    """``zh`` or ``en`` for a label column's language (``中文 (zh)``, ``English``, ``default``)."""
    if column_language == "default":
        column_language = default
    match = _LANGUAGE_CODE.search(column_language or "")
    if match:
        return match.group(1).lower()
    return _LANGUAGE_NAMES.get((column_language or "").strip().lower())


def check_sheets(workbook, problems):
    """Refuse what the tool does not support; return where questions and choices are.

    Returns ``(rows, choice_rows)``: question name -> survey sheet row, and
    ``(list_name, name)`` -> choices sheet row (rows counted as in Excel, the header is row 1).
    """
    rows, choice_rows = {}, {}
    for sheet in ("survey", "choices"):
        for index, row in enumerate(getattr(workbook, sheet) or (), start=2):
            for column, message in UNSUPPORTED_COLUMNS.items():
                if row.get(column) not in (None, ""):
                    problems.add(sheet, index, column, message)
    for index, row in enumerate(workbook.choices or (), start=2):
        key = (str(row.get("list_name", "")).strip(), str(row.get("name", "")).strip())
        choice_rows.setdefault(key, index)
    for index, row in enumerate(workbook.survey or (), start=2):
        qtype = " ".join(str(row.get("type", "")).split())
        name = row.get("name")
        if name and name not in rows:
            rows[name] = index
        if not qtype or qtype in METADATA_TYPES:
            continue
        if qtype in UNSUPPORTED:
            problems.add("survey", index, "type", UNSUPPORTED[qtype])
        elif qtype.startswith(("select_one_from_file", "select_multiple_from_file")):
            problems.add("survey", index, "type", _l("choices from a file are not supported"))
        elif not SUPPORTED_TYPES.match(qtype):
            problems.add(
                "survey", index, "type", _l("the type “%(type)s” is not supported", type=qtype)
            )
    return rows, choice_rows
