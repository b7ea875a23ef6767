"""Reading an XLSForm (as ODK and KoBoToolbox authors write it) into a survey definition.

pyxform reads and checks the workbook (``xls2json``); this module maps its form onto the
definition's YAML source, which :func:`.loader.validate` then checks like any other. Every
problem names the sheet, row and column; what the tool cannot do (repeats, calculations,
cascading choices, media) is refused, never dropped.

=================================  =========================================================
XLSForm                            definition
=================================  =========================================================
``select_one`` (``likert``)        single (likert, on a scale named after the list)
``select_multiple``                multiple
``integer``, ``decimal``           number (``. >= a and . <= b`` without a message: min/max)
``text`` (``multiline``)           text (long_text)
``note``                           note (a text shown in the form)
field-list group of likert selects likert_group (one scale, one item per select)
``label::中文 (zh)`` etc.          texts per language (zh, en)
``relevant``, ``constraint``       conditions (see :mod:`.xpath`), ``constraint_message``
choice names                       integer names are codes; others get 1..n and keep the name
``report_label::中文 (zh)`` etc.   report_label (how reports name the question)
settings ``surveyapp_population``  population (per language, like ``surveyapp_title``)
settings ``surveyapp_timezone``    timezone (an IANA name; default Asia/Shanghai)
settings ``surveyapp_allow_...``   ``surveyapp_allow_multiple``: yes lets a browser answer again
settings ``surveyapp_analysis``    the ``analysis`` block as a JSON object (checked as in YAML)
=================================  =========================================================
"""

import json
import re
import zipfile
from zoneinfo import ZoneInfo
from zoneinfo import ZoneInfoNotFoundError

from flask_babel import lazy_gettext as _l
from pyxform.errors import PyXFormError
from pyxform.xls2json import workbook_to_json
from pyxform.xls2json_backends import get_xlsform

from . import loader
from .qtypes import xlsform_markers
from .qtypes import xlsform_reader
from .xlsform_sheets import METADATA_TYPES
from .xlsform_sheets import Problems
from .xlsform_sheets import check_sheets
from .xlsform_sheets import language_of
from .xpath import Field
from .xpath import XPathError
from .xpath import to_condition

_NUMBER = r"(-?\d+(?:\.\d+)?)"
_PEEL = (
    ("min", re.compile(rf"^\.\s*>=\s*{_NUMBER}\s*(?:and\s+|$)")),
    ("max", re.compile(rf"^\.\s*<=\s*{_NUMBER}\s*(?:and\s+|$)")),
    ("max_choices", re.compile(r"^count-selected\(\s*\.\s*\)\s*<=\s*(\d+)\s*(?:and\s+|$)")),
    ("max_length", re.compile(r"^string-length\(\s*\.\s*\)\s*<=\s*(\d+)\s*(?:and\s+|$)")),
)
_YES = {"yes", "true", "true()", "1"}
_NO = {"", "no", "false", "false()", "0"}
ANALYSIS_COLUMN = "surveyapp_analysis"


def _number(text):
    value = float(text)
    return int(value) if value.is_integer() else value


class _Reader:
    def __init__(self, workbook, source):
        self.workbook, self.source = workbook, source
        self.problems = Problems()
        self.rows = {}
        self.choice_rows = {}
        self.fields = {}
        self.scales = {}
        self.default_language = "zh"

    # Texts ----------------------------------------------------------------------------------

    def texts(self, value, sheet, row, column):
        """``{"zh": ..., "en": ...}`` from pyxform's label (a string or language -> text)."""
        if value in (None, "", {}):
            return {}
        if isinstance(value, str):
            value = {"default": value}
        texts = {}
        for language, text in value.items():
            lang = language_of(language, self.default_language)
            if lang is None:
                self.problems.add(
                    sheet,
                    row,
                    f"{column}::{language}",
                    _l(
                        "only Chinese (zh) and English (en) texts are supported; name the "
                        "language like 中文 (zh) or English (en)"
                    ),
                )
                continue
            texts[lang] = str(text).strip()
        if "zh" not in texts and "en" in texts:
            texts["zh"] = texts["en"]
        return {lang: texts[lang] for lang in ("zh", "en") if lang in texts}

    def raw_texts(self, sheet, row, column):
        """Texts of ``column`` (and ``column::language``) as written in the sheet's row.

        Read from the raw row, not pyxform's form, which straightens the quotes “” of Chinese
        text.
        """
        if row is None:
            return {}
        raw = (self.workbook.survey if sheet == "survey" else self.workbook.choices)[row - 2]
        found = {}
        for header, value in raw.items():
            if header == column:
                found["default"] = value
            elif header.startswith(column + "::"):
                found[header.split("::", 1)[1]] = value
        return self.texts(found, sheet, row, column)

    # The form -------------------------------------------------------------------------------

    def read(self):
        self.rows, self.choice_rows = check_sheets(self.workbook, self.problems)
        if self.problems:
            raise loader.DefinitionError(self.source, self.problems)
        try:
            form = workbook_to_json(
                workbook_dict=self.workbook,
                form_name="data",
                fallback_form_name=self.workbook.fallback_form_name,
                default_language="default",
                warnings=[],
            )
        except PyXFormError as exc:
            raise loader.DefinitionError(self.source, [str(exc)]) from None
        settings = (self.workbook.settings or [{}])[0]
        self.default_language = settings.get("default_language") or "zh"
        data = {"key": self.key(form, settings), "title": self.title(form, settings)}
        for name in ("intro", "thanks", "population"):
            texts = self.setting_texts(settings, f"surveyapp_{name}")
            if texts:
                data[name] = texts
        data.update(self.survey_settings(settings))
        questions = []
        for child in form.get("children", ()):
            questions.extend(self.element(child, data))
        # A list no question uses is kept as a scale (a definition's scale may be unused).
        used = {c.get("list_name") for c in _selects(form)}
        for name, options in (form.get("choices") or {}).items():
            if name not in used and name not in self.scales:
                self.scale({"list_name": name, "choices": options})
        data["scales"] = self.scales
        data["questions"] = questions
        if not self.scales:
            del data["scales"]
        if self.problems:
            raise loader.DefinitionError(self.source, self.problems)
        return data

    def key(self, form, settings):
        key = str(settings.get("form_id") or form.get("id_string") or "").strip().lower()
        return key.replace("_", "-")

    def locate(self, problem):
        """A loader problem ("question KEY: ...") with the survey sheet row of that question.

        Problems of the analysis block are located in its settings cell.
        """
        if problem.startswith("analysis: "):
            located = Problems()
            located.add("settings", 2, ANALYSIS_COLUMN, problem.removeprefix("analysis: "))
            return located[0]
        match = re.match(r"question (\w+)", problem)
        row = self.rows.get(match.group(1)) if match else None
        if not row:
            return problem
        return str(_l("survey sheet, row %(row)d: %(problem)s", row=row, problem=problem))

    def setting_texts(self, settings, prefix):
        found = {k.split("::", 1)[1]: v for k, v in settings.items() if k.startswith(prefix + "::")}
        if prefix in settings:
            found["default"] = settings[prefix]
        return self.texts(found, "settings", 2, prefix)

    def survey_settings(self, settings):
        """Time zone, repeat answers and the analysis block from the settings sheet."""
        found = {}
        timezone = str(settings.get("surveyapp_timezone") or "").strip()
        if timezone:
            try:
                ZoneInfo(timezone)
                found["timezone"] = timezone
            except (ZoneInfoNotFoundError, ValueError):
                self.problems.add(
                    "settings",
                    2,
                    "surveyapp_timezone",
                    _l("“%(name)s” is not an IANA time zone (e.g. Asia/Shanghai)", name=timezone),
                )
        allow = settings.get("surveyapp_allow_multiple")
        allow = allow if isinstance(allow, bool) else str(allow or "").strip().lower()
        if allow is True or allow in _YES:
            found["allow_multiple"] = True
        elif allow is not False and allow not in _NO:
            self.problems.add(
                "settings",
                2,
                "surveyapp_allow_multiple",
                _l("write yes or no (not “%(value)s”)", value=allow),
            )
        analysis = str(settings.get(ANALYSIS_COLUMN) or "").strip()
        if analysis:
            try:
                block = json.loads(analysis)
            except json.JSONDecodeError as exc:
                block = None
                self.problems.add(
                    "settings", 2, ANALYSIS_COLUMN, _l("not valid JSON (%(error)s)", error=exc)
                )
            else:
                if not isinstance(block, dict):
                    self.problems.add(
                        "settings",
                        2,
                        ANALYSIS_COLUMN,
                        _l("the analysis block must be a JSON object ({…})"),
                    )
                else:
                    found["analysis"] = block
        return found

    def title(self, form, settings):
        texts = self.setting_texts(settings, "surveyapp_title")
        title = settings.get("form_title") or settings.get("form_id") or form.get("id_string")
        if title:
            texts.setdefault(language_of(self.default_language, "zh") or "zh", str(title).strip())
        if "zh" not in texts and "en" in texts:
            texts["zh"] = texts["en"]
        return {lang: texts[lang] for lang in ("zh", "en") if lang in texts}

    def element(self, child, data):
        kind = child.get("type")
        name = child.get("name")
        row = self.rows.get(name)
        if kind == "group" and child.get("control", {}).get("bodyless"):
            return []  # pyxform's own meta group (instanceID)
        if kind in METADATA_TYPES:
            return []
        if kind == "group":
            return self.group(child, data)
        question = self.question(child, row)
        return [question] if question else []

    def group(self, child, data):
        children = [c for c in child.get("children", ()) if c.get("type") not in METADATA_TYPES]
        row = self.rows.get(child.get("name"))
        lists = {c.get("list_name") for c in children}
        likert = (
            child.get("control", {}).get("appearance") == "field-list"
            and children
            and all(
                c.get("type") == "select one" and c.get("control", {}).get("appearance") == "likert"
                for c in children
            )
            and len(lists) == 1
        )
        if not likert:
            relevant = (child.get("bind") or {}).get("relevant")
            if relevant:
                self.problems.add(
                    "survey",
                    row,
                    "relevant",
                    _l(
                        "a condition on a group is supported only for a Likert group (a "
                        "field-list of likert questions on one list): put it on each question"
                    ),
                )
            found = []
            for grandchild in children:
                found.extend(self.element(grandchild, data))
            return found
        scale = self.scale(children[0])
        question = {
            "key": child["name"],
            "type": "likert_group",
            "text": self.raw_texts("survey", row, "label"),
            "scale": scale,
            "items": [
                {
                    "key": c["name"],
                    "label": self.raw_texts("survey", self.rows.get(c["name"]), "label"),
                }
                for c in children
            ],
        }
        if all(self.required(c) for c in children):
            question["required"] = True
        help_text = self.raw_texts("survey", row, "hint")
        if help_text:
            question["help"] = help_text
        report_label = self.raw_texts("survey", row, "report_label")
        if report_label:
            question["report_label"] = report_label
        relevant = self.condition((child.get("bind") or {}).get("relevant"), row, "relevant")
        if relevant:
            question["relevant"] = relevant
        names = self.fields_names(self.scales.get(scale, []))
        for item in question["items"]:
            self.fields[item["key"]] = Field(item["key"], "choice", names)
        return [question]

    def required(self, child):
        return str((child.get("bind") or {}).get("required", "")).strip().lower() in _YES

    def choices(self, child):
        """The choices of a select's list: integer names are codes, others get 1..n."""
        options = child.get("choices") or []
        list_name = child.get("list_name") or child.get("itemset")
        names = [str(c.get("name", "")).strip() for c in options]
        integers = all(re.fullmatch(r"-?\d+", n) for n in names)
        made = []
        for index, (option, name) in enumerate(zip(options, names, strict=True), start=1):
            choice = {
                "code": int(name) if integers else index,
                "label": self.raw_texts(
                    "choices", self.choice_rows.get((list_name, name)), "label"
                ),
            }
            if str(option.get("substantive", "")).strip().lower() in ("no", "false", "0"):
                choice["substantive"] = False
            if not integers:
                choice["name"] = name
            made.append(choice)
        return made

    def scale(self, child):
        name = child.get("list_name") or child.get("itemset")
        if name not in self.scales:
            self.scales[name] = self.choices(child)
        return name

    @staticmethod
    def fields_names(choices):
        return {c.get("name", str(c["code"])): c["code"] for c in choices}

    def condition(self, xpath, row, column, self_key=None):
        if not xpath:
            return None
        try:
            return to_condition(str(xpath), self.fields, self_key=self_key)
        except XPathError as exc:
            self.problems.add(
                "survey",
                row,
                column,
                _l("cannot translate %(xpath)s: %(problem)s", xpath=xpath, problem=exc),
            )
            return None

    def question(self, child, row):
        kind = child.get("type")
        appearance = (child.get("control") or {}).get("appearance", "")
        marked = str(child.get("surveyapp_type") or "").strip()
        key = child["name"]
        qtype = xlsform_reader(kind, appearance, marked)
        if qtype is None:
            self.problems.add(
                "survey", row, "type", _l("the type “%(type)s” is not supported", type=kind)
            )
            return None
        question = {"key": key, "type": qtype.name}
        if qtype.needs_scale:
            question["scale"] = self.scale(child)
        elif qtype.needs_choices:
            question["choices"] = self.choices(child)
        if marked and marked not in xlsform_markers():
            self.problems.add(
                "survey",
                row,
                "surveyapp_type",
                _l("the type “%(type)s” is not supported", type=marked),
            )
        bind = child.get("bind") or {}
        if self.required(child):
            question["required"] = True
        question["text"] = self.raw_texts("survey", row, "label")
        help_text = self.raw_texts("survey", row, "hint")
        if help_text:
            question["help"] = help_text
        report_label = self.raw_texts("survey", row, "report_label")
        if report_label:
            question["report_label"] = report_label
        relevant = self.condition(bind.get("relevant"), row, "relevant")
        if relevant:
            question["relevant"] = relevant
        message = self.raw_texts("survey", row, "constraint_message")
        self.field_of(question, qtype)
        self.constraint(question, bind.get("constraint"), message, row)
        return question

    def field_of(self, question, qtype):
        key = question["key"]
        if not qtype.stores_answers:
            return
        names = {}
        if qtype.choice_based:
            choices = (
                question.get("choices")
                or self.scales.get(question.get("scale"))
                or [{"code": c.code} for c in qtype.generated_choices()]
            )
            names = self.fields_names(choices)
        self.fields[key] = Field(key, qtype.condition_kind, names)

    def constraint(self, question, xpath, message, row):
        rest = " ".join(str(xpath or "").split())
        peelable = {"max_length"} if message else {name for name, _ in _PEEL}
        peeled = True
        while rest and peeled:
            peeled = False
            for name, pattern in _PEEL:
                match = pattern.match(rest)
                if match and name in peelable and name not in question:
                    question[name] = _number(match.group(1))
                    rest = rest[match.end() :].strip()
                    peeled = True
        if rest:
            condition = self.condition(rest, row, "constraint", self_key=question["key"])
            if condition:
                question["constraint"] = condition
                if message:
                    question["constraint_message"] = message
        elif message:
            self.problems.add(
                "survey", row, "constraint_message", _l("a constraint message needs a constraint")
            )


def _selects(element):
    for child in element.get("children", ()):
        if child.get("list_name"):
            yield child
        yield from _selects(child)


def read_xlsform(data, source="form.xlsx", key=None):
    """Read XLSForm bytes into a validated :class:`~.schema.SurveyDefinition`.

    ``key`` replaces the form's ``form_id``. Raises :class:`~.loader.DefinitionError` naming the
    sheet, row and column of each problem.
    """
    return read_xlsform_with_version(data, source, key)[0]


def read_xlsform_with_version(data, source="form.xlsx", key=None):
    """``(definition, version label)``: :func:`read_xlsform` and the settings' ``version``."""
    try:
        workbook = get_xlsform(data)
    except (PyXFormError, ValueError, KeyError, OSError, zipfile.BadZipFile) as exc:
        raise loader.DefinitionError(
            source, [str(_l("not a readable XLSForm workbook (%(error)s)", error=exc))]
        ) from None
    reader = _Reader(workbook, source)
    raw = reader.read()
    if key:
        raw["key"] = key
    try:
        definition = loader.validate(raw, source)
    except loader.DefinitionError as exc:
        raise loader.DefinitionError(source, [reader.locate(p) for p in exc.problems]) from None
    label = str((workbook.settings or [{}])[0].get("version") or "").strip() or None
    return definition, label
