"""Consistency checks of a scorecard and of a score table printed elsewhere.

Subtotals must add up, rates must be points over weights, no indicator may earn more than its
weight, and every figure printed elsewhere (entered for comparison) must agree with the
computation. Each problem says what was stated, what it should be, and why.
"""

from dataclasses import dataclass

from flask_babel import gettext as _

from .scoring import Scorecard
from .scoring import grade_for
from .scoring import rate

TOLERANCE = 0.01  # figures are printed with two decimals


@dataclass(frozen=True)
class Problem:
    """One inconsistency: the row, the field, the stated and computed value and an explanation."""

    row: str
    field: str
    stated: float | str | None
    computed: float | str | None
    explanation: str
    # "error": a figure is wrong; "note": a difference with a known reason.
    severity: str = "error"


def _differs(a, b):
    return a is not None and b is not None and abs(float(a) - float(b)) > TOLERANCE


def check_tree(card: Scorecard):
    """Problems within the computed table: weights that do not add up, points above the weight."""
    problems = []
    for level, node in card.rows():
        if level < 3:
            total = round(sum(c.weight for c in node.children), 2)
            if _differs(total, node.weight):
                problems.append(
                    Problem(
                        node.name,
                        "weight",
                        node.weight,
                        total,
                        _(
                            "the weights of its indicators add up to %(total)g, not %(weight)g",
                            total=total,
                            weight=node.weight,
                        ),
                    )
                )
        for field in ("points", "points_low", "points_high"):
            value = getattr(node, field)
            if value is not None and value > node.weight + TOLERANCE:
                problems.append(
                    Problem(
                        node.name,
                        field,
                        value,
                        node.weight,
                        _(
                            "%(points)g points exceed the weight %(weight)g",
                            points=value,
                            weight=node.weight,
                        ),
                    )
                )
    if _differs(card.weight, 100):
        problems.append(
            Problem(
                "合计",
                "weight",
                card.weight,
                100,
                _("the first-level weights add up to %(total)g, not 100", total=card.weight),
                "note",
            )
        )
    return problems


def check_printed(card: Scorecard):
    """Problems of the printed table: its own arithmetic, and its agreement with the computation."""
    printed = card.definition.printed
    if printed is None:
        return []
    problems = []
    computed = {g.name: g for g in card.groups}
    for row in printed.rows:
        own = rate(row.score, row.weight)
        if _differs(row.rate, own):
            text_rate = printed.text_rates.get(row.name)
            explanation = _(
                "printed %(stated).2f%%, but %(score)g / %(weight)g = %(own).2f%%",
                stated=row.rate,
                score=row.score,
                weight=row.weight,
                own=own,
            )
            if text_rate is not None and not _differs(text_rate, own):
                explanation += _("; the report's own text gives %(rate).2f%%", rate=text_rate)
            problems.append(Problem(row.name, "rate", row.rate, own, explanation))
        group = computed.get(row.name)
        if group is None:
            problems.append(
                Problem(
                    row.name, "name", row.name, None, _("no first-level indicator has this name")
                )
            )
            continue
        if _differs(row.weight, group.weight):
            problems.append(
                Problem(
                    row.name,
                    "weight",
                    row.weight,
                    group.weight,
                    _("the printed weight differs from the indicator tree"),
                )
            )
        if _differs(row.score, group.points):
            from_survey = card.survey_used and any(
                leaf.basis == "survey" for mid in group.children for leaf in mid.children
            )
            problems.append(
                Problem(
                    row.name,
                    "score",
                    row.score,
                    group.points,
                    _("computed from the survey's results, which differ from the printed points")
                    if from_survey
                    else _("the printed points differ from the sum of the indicators"),
                    "note" if from_survey else "error",
                )
            )
    total = printed.total
    if total is not None:
        sums = {
            "weight": round(sum(r.weight or 0 for r in printed.rows), 2),
            "score": round(sum(r.score or 0 for r in printed.rows), 2),
        }
        for field, value in sums.items():
            if _differs(getattr(total, field), value):
                problems.append(
                    Problem(
                        "合计",
                        field,
                        getattr(total, field),
                        value,
                        _("the printed rows add up to %(sum)g", sum=value),
                    )
                )
        own = rate(total.score, total.weight)
        if _differs(total.rate, own):
            problems.append(
                Problem(
                    "合计",
                    "rate",
                    total.rate,
                    own,
                    _(
                        "printed %(stated).2f%%, but the points over the weight give %(own).2f%%",
                        stated=total.rate,
                        own=own,
                    ),
                )
            )
        if printed.grade and total.score is not None:
            expected = grade_for(total.score, card.definition.grades, card.definition.below_grades)
            if expected != printed.grade:
                problems.append(
                    Problem(
                        "合计",
                        "grade",
                        printed.grade,
                        expected,
                        _(
                            "the grade of %(score)g points is %(grade)s",
                            score=total.score,
                            grade=expected,
                        ),
                    )
                )
    return problems


def check(card: Scorecard):
    """Every problem of the scorecard and of the printed table entered for comparison."""
    return check_tree(card) + check_printed(card)
