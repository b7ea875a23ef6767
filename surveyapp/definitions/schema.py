"""The in-memory form of a survey definition, as validated by :mod:`.loader`.

A definition is plain data: it is stored as JSON in ``SurveyVersion.definition`` and rebuilt
with :meth:`SurveyDefinition.from_dict`. Texts are ``{"zh": ..., "en": ...}`` mappings.
"""

from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from functools import cached_property

from .qtypes import REGISTRY

OPTIONAL_QUESTION_ATTRIBUTES = ("constraint", "constraint_message")
OPTIONAL_CHOICE_ATTRIBUTES = ("name",)
DEFAULT_TIMEZONE = "Asia/Shanghai"


def _drop_unset(data, names):
    for name in names:
        if data.get(name) in (None, {}):
            data.pop(name, None)


@dataclass(frozen=True)
class Choice:
    """An answer option with a stable integer code."""

    code: int
    label: dict
    # False for "don't know / not used": left out of satisfaction bases.
    substantive: bool = True
    # The author's name for the choice when it is not the code (an XLSForm's ``yes``/``no``).
    name: str | None = None


@dataclass(frozen=True)
class Item:
    """One row of a Likert group; its key is a column of its own in exports and analysis."""

    key: str
    label: dict


@dataclass(frozen=True)
class Question:
    """One question. Which attributes matter depends on ``type`` (see :mod:`.qtypes`)."""

    key: str
    type: str
    text: dict
    help: dict = field(default_factory=dict)
    required: bool = False
    relevant: str | None = None
    choices: tuple = ()
    items: tuple = ()
    scale: str | None = None
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    max_choices: int | None = None
    # Demographic questions can feed weighting (their margins are in the analysis settings).
    weighting: bool = False
    # How reports name the question ("居民对城市管理工作的总体满意度"); default: its text.
    report_label: dict = field(default_factory=dict)
    # A condition the answer must meet (the question's own key stands for its answer), and the
    # author's message when it does not.
    constraint: str | None = None
    constraint_message: dict = field(default_factory=dict)

    @property
    def answer_keys(self):
        """The column keys this question's answers are stored under (none for a note)."""
        if self.items:
            return tuple(item.key for item in self.items)
        return (self.key,) if REGISTRY[self.type].stores_answers else ()

    def choice(self, code):
        """The choice with this code, or None."""
        return next((c for c in self.choices if c.code == code), None)

    @property
    def codes(self):
        """Every choice code, in listing order."""
        return tuple(c.code for c in self.choices)

    @property
    def choice_names(self):
        """``{code: name}`` of the choices that have a name (an XLSForm's ``yes``/``no``)."""
        return {c.code: c.name for c in self.choices if c.name is not None}

    @property
    def substantive_codes(self):
        """Codes of the substantive choices (not "don't know"), in listing order."""
        return tuple(c.code for c in self.choices if c.substantive)

    def label_for_report(self, item_key=None):
        """The report label: ``report_label``, else the text (or item label) without ``?``/``？``."""
        if item_key is not None and item_key != self.key:
            item = next(i for i in self.items if i.key == item_key)
            return dict(item.label)
        if self.report_label:
            return dict(self.report_label)
        return {lang: text.rstrip().rstrip("?？").rstrip() for lang, text in self.text.items()}


@dataclass(frozen=True)
class SurveyDefinition:
    """A whole questionnaire: metadata, shared scales and ordered questions."""

    key: str
    title: dict
    questions: tuple
    intro: dict = field(default_factory=dict)
    thanks: dict = field(default_factory=dict)
    scales: dict = field(default_factory=dict)
    # False: one answer per browser (a cookie set on the thank-you page); true for surveys a
    # respondent may answer several times (e.g. one per visit).
    allow_multiple: bool = False
    # Who the sample stands for, e.g. {"zh": "某市18岁及以上常住居民", "en": "..."}.
    population: dict = field(default_factory=dict)
    # IANA time zone of the fieldwork: wave dates and fieldwork dates are read in it.
    timezone: str = DEFAULT_TIMEZONE
    # The optional ``analysis:`` block (validated plain data; see :mod:`.plan`).
    analysis: dict = field(default_factory=dict)

    def question(self, key):
        """The question with this key (or owning this Likert item key), or None."""
        for q in self.questions:
            if q.key == key or key in q.answer_keys:
                return q
        return None

    @property
    def answer_keys(self):
        """Every column key, in questionnaire order."""
        return tuple(k for q in self.questions for k in q.answer_keys)

    @cached_property
    def demographic_keys(self):
        """Keys of the demographic questions (their answers are the cells quotas count)."""
        return frozenset(q.key for q in self.questions if q.weighting)

    @property
    def weighting_questions(self):
        return tuple(q for q in self.questions if q.weighting)

    def to_dict(self):
        """Plain data for JSON storage.

        Attributes added after definitions were first stored are left out while unset, so a
        definition that does not use them keeps its hash (and is not loaded as a new version).
        """
        data = asdict(self)
        for question in data["questions"]:
            _drop_unset(question, OPTIONAL_QUESTION_ATTRIBUTES)
            for choice in question["choices"]:
                _drop_unset(choice, OPTIONAL_CHOICE_ATTRIBUTES)
        for choices in data["scales"].values():
            for choice in choices:
                _drop_unset(choice, OPTIONAL_CHOICE_ATTRIBUTES)
        return data

    @classmethod
    def from_dict(cls, data):
        """Rebuild from :meth:`to_dict` output (already validated)."""
        questions = tuple(
            Question(
                **{
                    **q,
                    "choices": tuple(Choice(**c) for c in q.get("choices", ())),
                    "items": tuple(Item(**i) for i in q.get("items", ())),
                }
            )
            for q in data["questions"]
        )
        scales = {
            name: tuple(Choice(**c) for c in choices)
            for name, choices in data.get("scales", {}).items()
        }
        return cls(
            key=data["key"],
            title=data["title"],
            questions=questions,
            intro=data.get("intro", {}),
            thanks=data.get("thanks", {}),
            scales=scales,
            allow_multiple=data.get("allow_multiple", False),
            population=data.get("population", {}),
            analysis=data.get("analysis", {}),
            timezone=data.get("timezone", DEFAULT_TIMEZONE),
        )
