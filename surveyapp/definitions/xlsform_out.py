"""A definition as an XLSForm workbook (survey, choices and settings sheets).

The workbook is a form ODK and KoBoToolbox accept (pyxform converts it) and that
:mod:`.xlsform_in` reads back to the same definition. What XLSForm has no column for travels in
columns pyxform passes over: ``surveyapp_type`` (demographic, rating), ``substantive`` on
choices, ``report_label`` per language on questions, and in the settings
``surveyapp_title``/``_intro``/``_thanks``/``_population`` per language, ``surveyapp_timezone``,
``surveyapp_allow_multiple`` and the ``analysis`` block as compact JSON in ``surveyapp_analysis``
(each only when set). Ranges, ``max_choices`` and ``max_length`` become constraints without a
message, which read back as those attributes.
"""

import io
import json

from openpyxl import Workbook
from openpyxl.styles import Font

from .conditions import _number
from .qtypes import question_type
from .schema import DEFAULT_TIMEZONE
from .xpath import Field
from .xpath import to_xpath

LANGUAGES = {"zh": "中文 (zh)", "en": "English (en)"}
SURVEY_COLUMNS = (
    "type",
    "name",
    *(f"label::{name}" for name in LANGUAGES.values()),
    *(f"hint::{name}" for name in LANGUAGES.values()),
    "required",
    "relevant",
    "constraint",
    *(f"constraint_message::{name}" for name in LANGUAGES.values()),
    "appearance",
    "surveyapp_type",
)
OPTIONAL_COLUMNS = tuple(f"report_label::{name}" for name in LANGUAGES.values())
SURVEY_COLUMNS += OPTIONAL_COLUMNS
CHOICE_COLUMNS = (
    "list_name",
    "name",
    *(f"label::{name}" for name in LANGUAGES.values()),
    "substantive",
)


def fields_of(definition):
    """:class:`~.xpath.Field` of every answer key, for translating conditions."""
    found = {}
    for question in definition.questions:
        qtype = question_type(question.type)
        names = {}
        if qtype.choice_based:
            names = {
                c.name if c.name is not None else _number(c.code): c.code for c in question.choices
            }
        for key in question.answer_keys:
            found[key] = Field(key, qtype.condition_kind, names)
    return found


def _texts(prefix, texts):
    return {f"{prefix}::{LANGUAGES[lang]}": text for lang, text in texts.items()}


def _list_name(question, taken):
    if question_type(question.type).needs_scale and question.scale is not None:
        return question.scale
    name = question.key if question.key not in taken else f"{question.key}_choices"
    taken.add(name)
    return name


def _constraint(question, fields):
    parts = []
    if question.min is not None:
        parts.append(f". >= {_number(question.min)}")
    if question.max is not None:
        parts.append(f". <= {_number(question.max)}")
    if question.max_choices is not None:
        parts.append(f"count-selected(.) <= {question.max_choices}")
    if question.max_length is not None:
        parts.append(f"string-length(.) <= {question.max_length}")
    if question.constraint is not None:
        own = to_xpath(question.constraint, fields, self_key=question.key)
        parts.append(f"({own})" if parts else own)
    return " and ".join(parts)


def _rows(definition):
    fields = fields_of(definition)
    taken = set(definition.scales)
    survey, lists = [], {name: choices for name, choices in definition.scales.items()}
    for q in definition.questions:
        qtype = question_type(q.type)
        row = {"name": q.key, **_texts("label", q.text), **_texts("hint", q.help)}
        if q.items:
            row.update(_texts("report_label", q.report_label))
        if q.relevant is not None:
            row["relevant"] = to_xpath(q.relevant, fields)
        if q.items:  # a Likert group: a field-list of likert selects on one list
            scale = _list_name(q, taken)
            lists.setdefault(scale, q.choices)
            survey.append({**row, "type": "begin_group", "appearance": "field-list"})
            for item in q.items:
                survey.append(
                    {
                        "type": f"select_one {scale}",
                        "name": item.key,
                        **_texts("label", item.label),
                        "appearance": "likert",
                        "required": "yes" if q.required else "",
                    }
                )
            survey.append({"type": "end_group", "name": q.key})
            continue
        list_name = None
        if qtype.choice_based:
            list_name = _list_name(q, taken)
            lists.setdefault(list_name, q.choices)
        row.update(qtype.xlsform_cells(list_name))
        row["required"] = "yes" if q.required else ""
        row["constraint"] = _constraint(q, fields)
        row.update(_texts("constraint_message", q.constraint_message))
        row.update(_texts("report_label", q.report_label))
        survey.append(row)
    choices = [
        {
            "list_name": name,
            "name": c.name if c.name is not None else _number(c.code),
            **_texts("label", c.label),
            "substantive": "" if c.substantive else "no",
        }
        for name, options in lists.items()
        for c in options
    ]
    return survey, choices


def _settings(definition, version_label):
    row = {
        "form_id": definition.key,
        "form_title": definition.title.get("zh", ""),
        "version": version_label or "",
        "default_language": LANGUAGES["zh"],
        # Chinese texts quote with “”: pyxform would otherwise straighten them.
        "clean_text_values": "no",
        **_texts("surveyapp_title", definition.title),
        **_texts("surveyapp_intro", definition.intro),
        **_texts("surveyapp_thanks", definition.thanks),
        **_texts("surveyapp_population", definition.population),
    }
    if definition.timezone != DEFAULT_TIMEZONE:
        row["surveyapp_timezone"] = definition.timezone
    if definition.allow_multiple:
        row["surveyapp_allow_multiple"] = "yes"
    if definition.analysis:
        row["surveyapp_analysis"] = json.dumps(
            definition.analysis, ensure_ascii=False, separators=(",", ":")
        )
    return list(row), row


def _sheet(book, title, columns, rows):
    sheet = book.create_sheet(title)
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([row.get(c) or None for c in columns])
    sheet.freeze_panes = "A2"
    return sheet


def to_xlsform(definition, version_label=None):
    """The definition as XLSForm workbook bytes (.xlsx)."""
    survey, choices = _rows(definition)
    book = Workbook()
    book.remove(book.active)
    # Optional columns (report labels) only when some question uses them.
    columns = [
        c for c in SURVEY_COLUMNS if c not in OPTIONAL_COLUMNS or any(r.get(c) for r in survey)
    ]
    _sheet(book, "survey", columns, survey)
    _sheet(book, "choices", CHOICE_COLUMNS, choices)
    columns, row = _settings(definition, version_label)
    _sheet(book, "settings", columns, [row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
