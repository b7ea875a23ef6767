"""Scoring an evaluation: points per indicator (at the estimate and at both CI ends), subtotals,
得分率, total and grade."""

from dataclasses import dataclass

from . import formula as formulas
from .schema import EvaluationDef
from .schema import Group
from .schema import Indicator
from .survey_source import SurveyFigure
from .survey_source import points_for


@dataclass(frozen=True)
class LeafScore:
    """The points of one third-level indicator and where they come from."""

    indicator: Indicator
    points: float | None
    points_low: float | None
    points_high: float | None
    # "manual", "data", "survey", or "printed" (a survey row while the survey has no results).
    basis: str
    value: float | None = None
    ci: tuple[float | None, float | None] | None = None
    n: int | None = None
    flags: tuple = ()  # a survey estimate's reliability flags

    @property
    def name(self):
        return self.indicator.name

    @property
    def weight(self):
        return self.indicator.weight

    @property
    def rate(self):
        return rate(self.points, self.weight)

    @property
    def settled(self):
        """True when the points are the same at the estimate and at both CI ends."""
        return self.points is not None and self.points_low == self.points == self.points_high


@dataclass(frozen=True)
class GroupScore:
    """A first- or second-level subtotal."""

    name: str
    level: int
    weight: float
    points: float | None
    points_low: float | None
    points_high: float | None
    children: tuple

    @property
    def rate(self):
        return rate(self.points, self.weight)


@dataclass(frozen=True)
class DerivedValue:
    """An unscored figure computed from the counts."""

    name: str
    formula: str
    value: float | None


@dataclass(frozen=True)
class Scorecard:
    """An evaluation's scores: the three-level tree, total, 得分率 and grade."""

    definition: EvaluationDef
    groups: tuple[GroupScore, ...]
    weight: float
    points: float | None
    points_low: float | None
    points_high: float | None
    grade: str | None
    derived: tuple[DerivedValue, ...]
    survey_used: bool

    @property
    def rate(self):
        return rate(self.points, self.weight)

    def rows(self):
        """``(level, node)`` for every row of the three-level table, in order."""
        for top in self.groups:
            yield 1, top
            for mid in top.children:
                yield 2, mid
                for leaf in mid.children:
                    yield 3, leaf

    def leaf(self, indicator_id):
        """The score of the third-level indicator with this id (KeyError if none)."""
        for level, node in self.rows():
            if level == 3 and node.indicator.id == indicator_id:
                return node
        raise KeyError(indicator_id)


def rate(points, weight):
    """得分率 in percent, two decimals (None when unscored)."""
    return None if points is None or not weight else round(100.0 * points / weight, 2)


def grade_for(points, grades, below):
    """The grade of a total under ``((name, minimum), ...)`` thresholds, else ``below``."""
    if points is None:
        return None
    for name, minimum in sorted(grades, key=lambda g: -g[1]):
        if points >= minimum - 1e-9:
            return name
    return below


def _sum(values):
    return None if any(v is None for v in values) else round(sum(values), 2)


def score_leaf(indicator, counts, figures):
    """The :class:`LeafScore` of one indicator."""
    if indicator.source == "manual":
        p = indicator.points
        return LeafScore(indicator, p, p, p, "manual")
    if indicator.source == "data":
        value = formulas.evaluate(indicator.formula, counts)
        p = points_for(value, indicator.weight, indicator.rule.as_dict())
        return LeafScore(indicator, p, p, p, "data", value=value)
    figure: SurveyFigure | None = (figures or {}).get(indicator.id)
    if figure is None:
        p = indicator.printed
        return LeafScore(indicator, p, p, p, "printed")
    return LeafScore(
        indicator,
        figure.points,
        figure.points_low,
        figure.points_high,
        "survey",
        value=figure.estimate,
        ci=(figure.ci_low, figure.ci_high),
        n=figure.n,
        flags=figure.flags,
    )


def _group(group: Group, level, counts, figures):
    if level == 2:
        children = tuple(score_leaf(leaf, counts, figures) for leaf in group.children)
    else:
        children = tuple(_group(g, 2, counts, figures) for g in group.children)
    return GroupScore(
        name=group.name,
        level=level,
        weight=group.weight,
        points=_sum([c.points for c in children]),
        points_low=_sum([c.points_low for c in children]),
        points_high=_sum([c.points_high for c in children]),
        children=children,
    )


def score(definition: EvaluationDef, figures=None):
    """Score ``definition``; ``figures`` are the survey figures by indicator id (None: printed)."""
    counts = definition.count_values()
    groups = tuple(_group(g, 1, counts, figures) for g in definition.indicators)
    total = _sum([g.points for g in groups])
    return Scorecard(
        definition=definition,
        groups=groups,
        weight=round(sum(g.weight for g in groups), 2),
        points=total,
        points_low=_sum([g.points_low for g in groups]),
        points_high=_sum([g.points_high for g in groups]),
        grade=grade_for(total, definition.grades, definition.below_grades),
        derived=tuple(
            DerivedValue(d.name, d.formula.text, formulas.evaluate(d.formula, counts))
            for d in definition.derived
        ),
        survey_used=figures is not None,
    )
