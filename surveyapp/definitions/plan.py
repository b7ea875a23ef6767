"""The analysis plan of a survey: which question plays which role, derived from the definition.

Roles have defaults (every demographic question weights and splits, every Likert group item
enters the satisfaction index, a lone Likert question is the headline satisfaction item) and can
be set in the definition's optional ``analysis:`` block::

    analysis:
      weighting: [area, age_band]          # variables offered for weighting (demographic/single)
      domains: [area]                      # comparison domains (pairwise differences)
      index:                               # the satisfaction index and its item weights
        key: index
        label: {zh: 满意度综合指数, en: satisfaction index}
        items: {q_a: 2, q_b: 1}            # or a list (equal weights)
      overall: q_overall                   # the headline satisfaction item (a Likert item)
      headlines:                           # headline shares: question + the codes that count
        - {id: aware, question: q_known, codes: [1, 2, 3], label: {zh: 知晓, en: aware}}
      worst_first: [q_scale]               # Likert questions whose choices are listed worst first

Scale order and non-substantive answers come from the choices: they are listed best first
(unless named under ``worst_first``) and ``substantive: false`` leaves an answer out of bases.
"""

from dataclasses import dataclass
from functools import cached_property

from flask_babel import gettext as _

from .qtypes import question_type

ANALYSIS_KEYS = {"weighting", "domains", "index", "overall", "headlines", "worst_first"}
DEFAULT_INDEX_KEY = "index"
DEFAULT_INDEX_LABEL = {"zh": "满意度综合指数", "en": "composite satisfaction index"}


class UnknownInPlan(KeyError):
    """A question, item or code the plan does not have; the message names it."""

    def __str__(self):
        return str(self.args[0]) if self.args else "unknown"


@dataclass(frozen=True)
class Headline:
    """A headline share: the share of ``codes`` among the substantive answers to ``question``."""

    id: str
    question: str
    codes: tuple
    label: dict


@dataclass(frozen=True)
class IndexPlan:
    """The composite satisfaction index: Likert item keys with their weights."""

    key: str
    label: dict
    items: tuple  # ((item key, weight), ...)


@dataclass(frozen=True)
class Scale:
    """The order of a Likert item's substantive codes (worst first) and its top two."""

    levels: tuple
    top: tuple  # the best two codes, best first

    def covers(self, table):
        """True when a score table gives a score for every substantive code."""
        return bool(table) and {str(c) for c in self.levels} <= {str(k) for k in table}


@dataclass(frozen=True)
class Plan:
    """Roles of the questions of one definition (build with :func:`plan_for`)."""

    definition: object
    weighting: tuple
    domains: tuple
    index: IndexPlan | None
    overall: str | None
    headlines: tuple
    worst_first: frozenset

    def question(self, key):
        """The question owning ``key`` (a question or Likert item key); raises when unknown."""
        q = self.definition.question(key)
        if q is None:
            raise UnknownInPlan(f"the survey has no question {key!r}")
        return q

    def qtype(self, key):
        """The registered type of the question owning ``key``."""
        return question_type(self.question(key).type)

    def scale(self, key):
        """The :class:`Scale` of a Likert question or item ``key``."""
        q = self.question(key)
        if not question_type(q.type).likert:
            raise UnknownInPlan(f"{key!r} is not a Likert question")
        levels = q.substantive_codes if q.key in self.worst_first else q.substantive_codes[::-1]
        return Scale(levels=tuple(levels), top=tuple(levels[::-1][:2]))

    @cached_property
    def likert_keys(self):
        """Every Likert item key (a group's items, a lone Likert question), in order."""
        return tuple(
            k
            for q in self.definition.questions
            if question_type(q.type).likert
            for k in q.answer_keys
        )

    @cached_property
    def categorical_keys(self):
        """Answer keys that can split estimates (domains, crosstabs)."""
        return tuple(
            k
            for q in self.definition.questions
            if question_type(q.type).categorical
            for k in q.answer_keys
        )

    def check_codes(self, key, codes):
        """Raise :class:`UnknownInPlan` naming any code ``key``'s question does not have."""
        q = self.question(key)
        unknown = [c for c in codes if c not in q.codes]
        if unknown:
            raise UnknownInPlan(
                f"question {key!r} has no code(s) {', '.join(map(str, unknown))} "
                f"(its codes: {', '.join(map(str, q.codes))})"
            )


def plan_for(definition):
    """The :class:`Plan` of a :class:`~.schema.SurveyDefinition` (defaults + ``analysis:``)."""
    block = definition.analysis or {}
    questions = definition.questions
    demographic = tuple(q.key for q in questions if question_type(q.type).demographic)
    likert_items = tuple(
        k for q in questions if question_type(q.type).has_items for k in q.answer_keys
    )
    lone_likert = [
        q.key
        for q in questions
        if question_type(q.type).likert and not question_type(q.type).has_items
    ]
    index = None
    raw_index = block.get("index")
    if raw_index is not None:
        items = raw_index["items"]
        pairs = items.items() if isinstance(items, dict) else ((k, 1.0) for k in items)
        index = IndexPlan(
            key=raw_index.get("key", DEFAULT_INDEX_KEY),
            label=raw_index.get("label") or DEFAULT_INDEX_LABEL,
            items=tuple((k, float(w)) for k, w in pairs),
        )
    elif likert_items:
        index = IndexPlan(
            DEFAULT_INDEX_KEY, DEFAULT_INDEX_LABEL, tuple((k, 1.0) for k in likert_items)
        )
    overall = block.get("overall", lone_likert[0] if len(lone_likert) == 1 else None)
    headlines = tuple(
        Headline(
            id=h["id"],
            question=h["question"],
            codes=tuple(h["codes"]),
            label=h.get("label") or {},
        )
        for h in block.get("headlines", ())
    )
    return Plan(
        definition=definition,
        weighting=tuple(block.get("weighting", demographic)),
        domains=tuple(block.get("domains", demographic)),
        index=index,
        overall=overall,
        headlines=headlines,
        worst_first=frozenset(block.get("worst_first", ())),
    )


def check_analysis(raw, questions, problems):
    """Validate an ``analysis:`` block against ``questions``; returns it as plain data."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(_("analysis: must be a mapping"))
        return {}
    by_key = {k: q for q in questions for k in (q.key, *q.answer_keys)}

    def problem(message):
        problems.append(_("analysis: %(problem)s", problem=message))

    def typed(key, where, test, what):
        q = by_key.get(key) if isinstance(key, str) else None
        if q is None:
            problem(_("%(where)s: no question %(key)r", where=where, key=key))
        elif not test(question_type(q.type)):
            problem(_("%(where)s: %(key)r is not %(what)s", where=where, key=key, what=what))
        return q

    likert = _("a Likert question")
    for extra in sorted(set(raw) - ANALYSIS_KEYS):
        problem(
            _(
                "unknown attribute %(name)r (known: %(known)s)",
                name=extra,
                known=", ".join(sorted(ANALYSIS_KEYS)),
            )
        )
    for name, test, what in (
        ("weighting", lambda t: t.weightable, _("a demographic or single-choice question")),
        ("domains", lambda t: t.categorical, _("a categorical question")),
        ("worst_first", lambda t: t.likert, likert),
    ):
        keys = raw.get(name, [])
        if not isinstance(keys, list):
            problem(_("%(name)s must be a list of question keys", name=name))
            continue
        for key in keys:
            typed(key, name, test, what)
    if "overall" in raw:
        typed(raw["overall"], "overall", lambda t: t.likert, likert)
    index = raw.get("index")
    if index is not None:
        items = index.get("items") if isinstance(index, dict) else None
        if not isinstance(items, (list, dict)) or not items:
            problem(_("index needs items: a list of Likert item keys or {key: weight}"))
        else:
            for key in items:
                typed(key, "index", lambda t: t.likert, _("a Likert item"))
            if isinstance(items, dict) and not all(
                isinstance(w, (int, float)) and not isinstance(w, bool) and w > 0
                for w in items.values()
            ):
                problem(_("index item weights must be positive numbers"))
        if isinstance(index, dict):
            for extra in sorted(set(index) - {"key", "label", "items"}):
                problem(_("index: unknown attribute %(name)r", name=extra))
    _check_headlines(raw.get("headlines", []), typed, problem)
    return raw


def _check_headlines(headlines, typed, problem):
    """Check the ``headlines`` list of an ``analysis:`` block (see :func:`check_analysis`)."""
    if not isinstance(headlines, list):
        problem(_("headlines must be a list of {id, question, codes}"))
        return
    seen = set()
    for i, h in enumerate(headlines, start=1):
        if not isinstance(h, dict) or not {"id", "question", "codes"} <= set(h):
            problem(_("headline %(n)d needs id, question and codes", n=i))
            continue
        if h["id"] in seen:
            problem(_("headline %(id)r is not unique", id=h["id"]))
        seen.add(h["id"])
        where = _("headline %(id)s", id=h["id"])
        q = typed(h["question"], where, lambda t: t.column_kind == "code", _("a choice question"))
        codes = h["codes"]
        if not isinstance(codes, list) or not codes or not all(isinstance(c, int) for c in codes):
            problem(_("%(where)s: codes must be a non-empty list of whole numbers", where=where))
        elif q is not None:
            unknown = [c for c in codes if c not in q.codes]
            if unknown:
                problem(
                    _(
                        "%(where)s: question %(key)r has no code(s) %(codes)s",
                        where=where,
                        key=h["question"],
                        codes=", ".join(str(c) for c in unknown),
                    )
                )
