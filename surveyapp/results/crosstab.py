"""A question's summary within each category of another (domain estimates) with a Rao-Scott test.

Computed on the cached design of :func:`.compute.computed`, so a crosstab costs no reload.
"""

from dataclasses import dataclass

import analysis
from analysis import SurveyError

from ..definitions.qtypes import question_type
from .compute import computed
from .model import MissingEstimate
from .summaries import Collector
from .summaries import Context
from .summaries import nps_column


class CrosstabError(ValueError):
    """A crosstab that cannot be made; the message names the question."""


@dataclass(frozen=True)
class Test:
    """Rao-Scott second-order corrected test of independence."""

    statistic: float
    ndf: float
    ddf: float
    p_value: float

    def to_dict(self):
        return {
            "statistic": self.statistic,
            "ndf": self.ndf,
            "ddf": self.ddf,
            "p_value": self.p_value,
        }


@dataclass(frozen=True)
class Crosstab:
    """Figures of ``question`` in each category of ``by`` (and the test when both are categorical)."""

    question: str
    by: str
    figures: tuple
    tests: tuple = ()  # ((answer key, Test), ...)

    def to_dict(self):
        return {
            "question": self.question,
            "by": self.by,
            "estimates": [f.to_dict() for f in self.figures],
            "tests": {key: test.to_dict() for key, test in self.tests},
        }


def _column_test(design, key, by):
    try:
        result = analysis.chisq_test(design, key, by)
    except (SurveyError, ValueError, ZeroDivisionError):
        return None
    return Test(
        float(result.statistic), float(result.ndf), float(result.ddf), float(result.p_value)
    )


def crosstab(survey, question, by):
    """The :class:`Crosstab` of ``question`` by the categorical question ``by``."""
    state = computed(survey)
    results, design = state.results, state.design
    plan = results.plan
    try:
        q = plan.question(question)
        b = plan.question(by)
    except MissingEstimate as exc:
        raise CrosstabError(str(exc)) from None
    except KeyError as exc:
        raise CrosstabError(str(exc)) from None
    if not question_type(b.type).categorical or by not in b.answer_keys:
        raise CrosstabError(f"{by!r} is not a categorical question to split by")
    if design is None:
        return Crosstab(question, by, ())
    ctx = Context(
        design,
        plan,
        Collector(state.collector_level, state.method),
        results.settings["score_table"] if results.settings.get("scoring") == "table" else None,
    )
    summary = question_type(q.type).summary
    tests = []
    if summary in ("shares", "likert"):
        for key in q.answer_keys:
            ctx.distribution(key, q.codes, by)
            if summary == "likert":
                ctx.likert(key, by)
            test = _column_test(design, key, by)
            if test is not None:
                tests.append((key, test))
    elif summary == "multiple":
        for choice in q.choices:
            column = f"{q.key}_{choice.code}"
            table = analysis.describe_items(
                design,
                [column],
                by=by,
                level=ctx.out.level,
                method=ctx.out.method,
                levels={column: [0, 1]},
            )
            ctx.out.add_table(
                q.key, "share", table, by, codes_of=lambda _c, c=choice.code: (c,), only=1
            )
    elif summary == "rating":
        ctx.out.add(q.key, "mean", analysis.mean(design, q.key, by=by), (), by)
        ctx.out.add(
            q.key, "nps", analysis.mean(design, nps_column(q.key), by=by), (), by, scale=100.0
        )
    elif summary == "number":
        ctx.out.add(q.key, "mean", analysis.mean(design, q.key, by=by), (), by)
    else:
        raise CrosstabError(
            f"{question!r} has free-text answers: there is nothing to cross-tabulate"
        )
    return Crosstab(question, by, tuple(ctx.out.figures), tuple(tests))
