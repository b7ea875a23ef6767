"""THE adapter between an evaluation and a survey's results (the only module here that reads them).

It turns the results of :func:`surveyapp.results.compute.compute_results` into
:class:`SurveyFigure` objects, one per survey-sourced indicator, scored by the rubric's rules at the
estimate and at both ends of its interval. When the results become a typed object, only this
module changes.
"""

from dataclasses import dataclass

from ..definitions.store import get_survey
from ..results.compute import compute_results
from ..results.rubric import points_for
from ..results.rubric import score_indicators

__all__ = ["SurveyFigure", "points_for", "survey_figures"]


@dataclass(frozen=True)
class SurveyFigure:
    """A survey statistic behind an indicator and the points it earns."""

    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    points: float | None
    points_low: float | None
    points_high: float | None


def _rubric_entry(indicator):
    estimate = {"kind": indicator.statistic}
    if indicator.question is not None:
        estimate["question"] = indicator.question
    if indicator.codes:
        estimate["codes"] = list(indicator.codes)
    return {
        "id": indicator.id,
        "name": {"zh": indicator.name},
        "points": indicator.weight,
        "estimate": estimate,
        "rule": indicator.rule.as_dict(),
    }


def survey_figures(survey_key, indicators):
    """``{indicator id: SurveyFigure}``, or None when the survey is missing or has no responses."""
    if not survey_key or not indicators:
        return None
    survey = get_survey(survey_key)
    if survey is None or survey.latest_version is None:
        return None
    results = compute_results(survey)
    if results["n"] < 2:
        return None
    rows = score_indicators(results, {"indicators": [_rubric_entry(i) for i in indicators]})
    return {
        row["id"]: SurveyFigure(
            estimate=row["estimate"],
            ci_low=row["ci"][0],
            ci_high=row["ci"][1],
            n=int(row["n"] or 0),
            points=row["points"],
            points_low=row["points_low"],
            points_high=row["points_high"],
        )
        for row in rows
    }
