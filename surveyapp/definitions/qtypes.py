"""Question types: each registered class checks its definition, builds its form fields and
encodes answers into answer rows. Adding a type touches this module only."""

import decimal
import re
from dataclasses import dataclass
from dataclasses import field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DecimalField
from wtforms import RadioField
from wtforms import SelectChoice
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms import validators
from wtforms import widgets

from ..i18n import text_in

REGISTRY = {}


def register(cls):
    REGISTRY[cls.name] = cls()
    return cls


def question_type(name):
    """The registered type called ``name`` (KeyError when unknown)."""
    return REGISTRY[name]


def xlsform_reader(kind, appearance="", marker=""):
    """The type an XLSForm row of type ``kind`` (as pyxform names it) reads as, or None.

    The type ``marker`` (its ``surveyapp_type`` cell) names when that type is marked and read
    from ``kind``; else the unmarked type written with this appearance; else the plain one.
    """
    readers = [t for t in REGISTRY.values() if kind in t.xlsform_reads]
    marked = [t for t in readers if t.xlsform_marked and t.name == marker]
    plain = [t for t in readers if not t.xlsform_marked]
    styled = [t for t in plain if t.xlsform_appearance and t.xlsform_appearance == appearance]
    bare = [t for t in plain if not t.xlsform_appearance]
    return next(iter(marked or styled or bare), None)


def xlsform_markers():
    """Names the ``surveyapp_type`` column may hold (types XLSForm has no type for)."""
    return tuple(t.name for t in REGISTRY.values() if t.xlsform_marked)


class AnswerRow(tuple):
    """``(key, code, number, text)``: one row of the ``answers`` table."""

    __slots__ = ()

    def __new__(cls, key, code=None, number=None, text=None):
        return super().__new__(cls, (key, code, number, text))


def _options(question, locale):
    """The question's choices as WTForms options, labelled in ``locale``."""
    return [SelectChoice(c.code, text_in(c.label, locale)) for c in question.choices]


def _presence(question):
    if question.required:
        return [validators.InputRequired(message=_l("Please answer this question."))]
    return [validators.Optional()]


# Respondent-facing messages for input no honest form produces (edited or forged posts).
INVALID_CHOICE = _l("Please choose one of the options shown.")
INVALID_NUMBER = _l("Please enter a number, for example 12.")

# Control characters other than tab and newlines: PostgreSQL refuses NUL in text, and none of
# them belongs in an answer.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean_text(value):
    """Strip surrounding blanks and control characters from a text answer."""
    if not isinstance(value, str):
        return value
    return _CONTROL.sub("", value).strip()


class _CodesAtBinding:
    """Gathers the coerced values of a choice field's options when it is bound (``codes``).

    WTForms' own choice check builds a normalised ``Choice`` for every option of every question on
    each post; with a dozen Likert items of five options that was a quarter of validating a form.
    Fields are bound once a process (see ``surveyapp.public.forms``), so the set costs nothing
    per post.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.codes = frozenset(self.coerce(choice.value) for choice in self.choices or ())


class CodeRadioField(_CodesAtBinding, RadioField):
    """Radio buttons over fixed integer codes: the coerced answer must be one of the codes."""

    def pre_validate(self, form):
        if self.process_errors or not self.validate_choice:
            return
        if self.choices is None:
            raise TypeError(self.gettext("Choices cannot be None."))
        if self.data not in self.codes:
            raise validators.ValidationError(
                self.invalid_choice_message or self.gettext("Not a valid choice.")
            )


class MultiCheckboxField(_CodesAtBinding, SelectMultipleField):
    """Checkboxes for a multiple choice (one ``name`` repeated per ticked code)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form):
        # Ticked codes that are all options pass at once; anything else gets WTForms' own check
        # and message.
        if self.choices is None or not all(code in self.codes for code in self.data or ()):
            super().pre_validate(form)


class FiniteDecimalField(DecimalField):
    """A decimal typed as text (``inputmode=decimal``); refuses NaN, infinity, absurd sizes."""

    widget = widgets.TextInput()
    max_digits = 32

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = str(valuelist[0]).strip()
        if not raw:
            self.data = None
            return
        try:
            value = decimal.Decimal(raw) if len(raw) <= self.max_digits else None
        except (decimal.InvalidOperation, ValueError):
            value = None
        # Decimal("NaN") and Decimal("1e999") parse; neither is an answer (and NaN breaks ranges).
        if value is None or not value.is_finite() or abs(value) > decimal.Decimal("1e15"):
            self.data = None
            raise ValueError(self.invalid_value_message or INVALID_NUMBER)
        self.data = value


@dataclass(frozen=True)
class Column:
    """One export column: its name, label, storage kind and value labels."""

    name: str
    label: str
    kind: str  # "id", "text", "code", "flag", "number", "datetime", "weight"
    source: str | None = None  # answer key (for flags: the multiple-choice question key)
    code: int | None = None  # for flags: the choice code
    value_labels: dict = field(default_factory=dict)
    # Choice names by code (an XLSForm's ``yes``/``no``): text exports write the name in place of
    # the code; empty when the choices have none.
    names: dict = field(default_factory=dict)
    # Codes that are not substantive answers ("don't know"): user-missing in SAV, extended
    # missing in DTA. Measurement level of code columns (the question type's).
    missing: tuple = ()
    measure: str = "nominal"


FLAG_LABELS = {0: "未选 / not ticked", 1: "选中 / ticked"}
# A choice name that can end a column name in every export format (Stata and SPSS included).
_COLUMN_SAFE = re.compile(r"^[A-Za-z0-9_]{1,32}$")


def _flag_suffix(choice):
    """How a 0/1 column names its choice: by its name if it has a column-safe one, else its code."""
    return choice.name if choice.name and _COLUMN_SAFE.match(choice.name) else choice.code


class QuestionType:
    """Base class. ``choice_based`` types store integer codes in ``Answer.code``.

    What a type contributes to the analysis is declared here, so no other module asks which
    type a question has: ``column_kind`` (how its answers become analysis columns: one
    ``code`` column per answer key, 0/1 ``flags`` per option, a ``number``, or ``text`` kept out
    of the frame), ``summary`` (which summary the results compute for it), ``categorical`` (can
    split other estimates: domains, crosstabs), ``weightable`` (margins may be given for it),
    ``demographic`` (a weighting variable by default) and ``likert`` (an ordered scale with a
    0-100 score and a top-two rate).

    How it travels in an XLSForm is declared here too (:meth:`xlsform_cells`,
    :func:`xlsform_reader`): ``xlsform_type`` (the XLSForm type it is written as; a select adds
    its list name), ``xlsform_appearance``, ``xlsform_marked`` (XLSForm has no type of its own
    for it: the ``surveyapp_type`` column names it) and ``xlsform_reads`` (the types, as pyxform
    names them, it is read from). ``condition_kind`` says how conditions compare its answers
    (:class:`~.xpath.Field`: choice codes, a number or a text).

    How the form shows it: ``layout`` (``options``: one set of options; ``grid``: a set per
    item; ``input``: a text box; ``note``: a text only) and ``options_style`` (the look of its
    options: ``list``, ``scale``, ``rating`` or ``multi``).
    """

    name = ""
    choice_based = True
    needs_choices = True
    needs_scale = False
    # False for a type that asks nothing (a note): no fields, no answer columns.
    stores_answers = True
    # Whether the substantive choices are ordered from worst to best (a rating or a scale).
    ordinal = False
    allowed = ()  # type-specific definition attributes
    # The measurement level of its export columns (SPSS: nominal, ordinal or scale).
    measure = "nominal"
    column_kind = "code"
    summary = "shares"
    categorical = True
    weightable = False
    demographic = False
    likert = False
    has_items = False
    xlsform_type = "select_one"
    xlsform_appearance = ""
    xlsform_marked = False
    xlsform_reads = ()
    condition_kind = "choice"
    layout = "options"
    options_style = "list"

    def xlsform_cells(self, list_name=None):
        """The cells of its XLSForm survey row that follow from the type (``type`` and so on)."""
        cells = {
            "type": f"{self.xlsform_type} {list_name}" if self.choice_based else self.xlsform_type
        }
        if self.xlsform_appearance:
            cells["appearance"] = self.xlsform_appearance
        if self.xlsform_marked:
            cells["surveyapp_type"] = self.name
        return cells

    def generated_choices(self):
        """Choices a type makes itself (a 0-10 rating); none by default."""
        return ()

    def analysis_keys(self, question):
        """The analysis-frame columns of this question (flags: ``<key>_<code>``)."""
        if self.column_kind == "flags":
            return tuple(f"{question.key}_{c.code}" for c in question.choices)
        if self.column_kind == "text":
            return ()
        return question.answer_keys

    def export_columns(self, question, lang):
        """The responses-export columns of this question (see :class:`Column`).

        A choice's 0/1 column is ``<key>_<name>`` when the choice has a name usable in a column
        name, else ``<key>_<code>``; code columns carry the choice names (``Column.names``)."""
        text = text_in(question.text, lang)
        if self.column_kind == "flags":
            return [
                Column(
                    f"{question.key}_{_flag_suffix(c)}",
                    f"{text} {text_in(c.label, lang)}",
                    "flag",
                    question.key,
                    c.code,
                    value_labels=FLAG_LABELS,
                )
                for c in question.choices
            ]
        if self.column_kind in ("number", "text"):
            return [Column(question.key, text, self.column_kind, question.key)]
        labels = {c.code: text_in(c.label, lang) for c in question.choices}
        names = question.choice_names
        missing = tuple(c.code for c in question.choices if not c.substantive)
        if question.items:
            return [
                Column(
                    item.key,
                    f"{text} {text_in(item.label, lang)}",
                    "code",
                    item.key,
                    value_labels=labels,
                    names=names,
                    missing=missing,
                    measure=self.measure,
                )
                for item in question.items
            ]
        return [
            Column(
                question.key,
                text,
                "code",
                question.key,
                value_labels=labels,
                names=names,
                missing=missing,
                measure=self.measure,
            )
        ]

    def ranked_choices(self, question):
        """Substantive choices from best to worst (as listed: a scale lists its best answer first)."""
        return tuple(c for c in question.choices if c.substantive)

    def check(self, question, problem):
        """Report definition problems through ``problem(message)``."""

    def fields(self, question, locale):
        """``(name, unbound field)`` pairs for the WTForms form."""
        return [(question.key, self._radio(question, question.key, question.text, locale))]

    def _radio(self, question, name, label, locale):
        return CodeRadioField(
            text_in(label, locale),
            choices=_options(question, locale),
            coerce=int,
            validators=_presence(question),
            validate_choice=True,
            invalid_value_message=INVALID_CHOICE,
            invalid_choice_message=INVALID_CHOICE,
        )

    def rows(self, question, data):
        """Answer rows for the validated form ``data`` (field name -> value)."""
        value = data.get(question.key)
        return [] if value is None else [AnswerRow(question.key, code=int(value))]

    def values(self, question, rows):
        """Answers keyed by column, from stored rows (for conditions and re-display)."""
        return {r[0]: r[1] for r in rows}


@register
class Single(QuestionType):
    """One choice out of several."""

    name = "single"
    weightable = True
    xlsform_reads = ("select one",)


@register
class Demographic(Single):
    """A single choice about the respondent (area, age group, gender): a weighting variable."""

    name = "demographic"
    demographic = True
    xlsform_marked = True


@register
class Likert(QuestionType):
    """One item on a shared scale."""

    name = "likert"
    needs_scale = True
    measure = "ordinal"
    summary = "likert"
    likert = True
    ordinal = True
    xlsform_appearance = "likert"
    xlsform_reads = ("select one",)
    options_style = "scale"


@register
class LikertGroup(QuestionType):
    """Several items on one scale; each item is its own column."""

    name = "likert_group"
    needs_scale = True
    measure = "ordinal"
    has_items = True
    summary = "likert"
    likert = True
    ordinal = True
    layout = "grid"
    options_style = "scale"

    def check(self, question, problem):
        if not question.items:
            problem(_("a likert_group needs items"))

    def fields(self, question, locale):
        return [
            (item.key, self._radio(question, item.key, item.label, locale))
            for item in question.items
        ]

    def rows(self, question, data):
        return [
            AnswerRow(item.key, code=int(data[item.key]))
            for item in question.items
            if data.get(item.key) is not None
        ]


@register
class Rating(QuestionType):
    """A 0-10 rating; its choices are generated, codes equal to the number."""

    name = "rating"
    needs_choices = False
    measure = "ordinal"
    summary = "rating"
    categorical = False
    xlsform_marked = True
    xlsform_reads = ("select one",)
    options_style = "rating"

    def generated_choices(self):
        # schema imports this module (answer keys depend on the type), so Choice comes late.
        from .schema import Choice

        return tuple(Choice(code=i, label={"zh": str(i), "en": str(i)}) for i in range(11))

    ordinal = True

    def ranked_choices(self, question):
        """0-10: the highest number is the best."""
        return tuple(sorted(question.choices, key=lambda c: -c.code))


@register
class Multiple(QuestionType):
    """Any number of choices (capped by ``max_choices``)."""

    name = "multiple"
    column_kind = "flags"
    summary = "multiple"
    categorical = False
    xlsform_type = "select_multiple"
    xlsform_reads = ("select all that apply", "select multiple")
    options_style = "multi"

    def check(self, question, problem):
        if question.max_choices is not None and not 1 <= question.max_choices <= len(
            question.choices
        ):
            problem(_("max_choices must be between 1 and the number of choices"))

    def fields(self, question, locale):
        checks = list(_presence(question))
        if question.max_choices:
            checks.append(
                validators.Length(
                    max=question.max_choices,
                    message=_l("Choose at most %(n)d.", n=question.max_choices),
                )
            )
        field = MultiCheckboxField(
            text_in(question.text, locale),
            choices=_options(question, locale),
            coerce=int,
            validators=checks,
            invalid_value_message=INVALID_CHOICE,
            invalid_choice_message=INVALID_CHOICE,
        )
        return [(question.key, field)]

    def rows(self, question, data):
        return [
            AnswerRow(question.key, code=int(code))
            for code in sorted(set(data.get(question.key) or ()))
        ]

    def values(self, question, rows):
        return {question.key: sorted(r[1] for r in rows)}


@register
class Number(QuestionType):
    """A number within ``min``/``max``."""

    name = "number"
    choice_based = False
    needs_choices = False
    measure = "scale"
    column_kind = "number"
    summary = "number"
    categorical = False
    xlsform_type = "decimal"
    xlsform_reads = ("integer", "decimal")
    condition_kind = "number"
    layout = "input"

    def check(self, question, problem):
        if question.min is not None and question.max is not None and question.min > question.max:
            problem(_("min is greater than max"))

    def fields(self, question, locale):
        checks = list(_presence(question))
        if question.min is not None or question.max is not None:
            checks.append(
                validators.NumberRange(
                    min=question.min,
                    max=question.max,
                    message=_l(
                        "Enter a number from %(min)s to %(max)s.",
                        min=_fmt(question.min),
                        max=_fmt(question.max),
                    ),
                )
            )
        field = FiniteDecimalField(
            text_in(question.text, locale),
            validators=checks,
            places=None,
            invalid_value_message=INVALID_NUMBER,
            render_kw={"inputmode": "decimal", "autocomplete": "off"},
        )
        return [(question.key, field)]

    def rows(self, question, data):
        value = data.get(question.key)
        return [] if value is None else [AnswerRow(question.key, number=float(value))]

    def values(self, question, rows):
        return {r[0]: r[2] for r in rows}


def _fmt(value):
    if value is None:
        return "…"
    return int(value) if float(value).is_integer() else value


@register
class Text(QuestionType):
    """A short text (one line)."""

    name = "text"
    choice_based = False
    needs_choices = False
    column_kind = "text"
    summary = "text"
    categorical = False
    xlsform_type = "text"
    xlsform_reads = ("text",)
    condition_kind = "text"
    layout = "input"
    default_max_length = 200
    field_class = StringField

    def fields(self, question, locale):
        limit = question.max_length or self.default_max_length
        # DataRequired looks at the cleaned value, so blanks alone do not count as an answer.
        if question.required:
            checks = [validators.DataRequired(message=_l("Please answer this question."))]
        else:
            checks = [validators.Optional()]
        checks.append(
            validators.Length(
                max=limit, message=_l("Please keep it within %(n)d characters.", n=limit)
            )
        )
        field = self.field_class(
            text_in(question.text, locale),
            validators=checks,
            filters=[_clean_text],
            render_kw={"maxlength": limit},
        )
        return [(question.key, field)]

    def rows(self, question, data):
        value = data.get(question.key)
        return [AnswerRow(question.key, text=value)] if value else []

    def values(self, question, rows):
        return {r[0]: r[3] for r in rows}


@register
class LongText(Text):
    """A longer free text (a suggestion box)."""

    name = "long_text"
    xlsform_appearance = "multiline"
    default_max_length = 2000
    field_class = TextAreaField


@register
class Note(QuestionType):
    """A text shown in the form between questions; it asks nothing and stores nothing."""

    name = "note"
    choice_based = False
    needs_choices = False
    stores_answers = False
    column_kind = "none"
    summary = "none"
    categorical = False
    xlsform_type = "note"
    xlsform_reads = ("note",)
    condition_kind = None
    layout = "note"

    def analysis_keys(self, question):
        return ()

    def export_columns(self, question, lang):
        return []

    def check(self, question, problem):
        if question.required:
            problem("a note asks nothing, so it cannot be required")
        if question.constraint is not None:
            problem("a note asks nothing, so it cannot have a constraint")

    def fields(self, question, locale):
        return []

    def rows(self, question, data):
        return []

    def values(self, question, rows):
        return {}
