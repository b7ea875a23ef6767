"""THE adapter between an evaluation and a survey's results (the only module here that reads them).

It looks up, in the typed :class:`~surveyapp.results.model.Results` of
:func:`surveyapp.results.compute.compute_results`, the estimate each survey-sourced indicator
names by ``(question, statistic, codes)`` and scores it with the results' own rubric scoring at
the estimate and at both ends of its interval, as :class:`SurveyFigure` objects.
"""

from dataclasses import dataclass

from ..definitions.plan import plan_for
from ..definitions.store import definition_of
from ..definitions.store import get_survey
from ..results import settings as settings_service
from ..results.compute import compute_results
from ..results.model import SHARE_STATISTICS
from ..results.model import MissingEstimate
from ..results.rubric import STATISTICS as _BY_SUMMARY
from ..results.rubric import RubricError
from ..results.rubric import points_for
from ..results.rubric import score_indicators
from ..results.rubric import validate_rubric

__all__ = [
    "STATISTICS",
    "SurveyFigure",
    "indicator_problems",
    "is_share",
    "points_for",
    "survey_figures",
]

# Every statistic a survey's results publish (the names an evaluation's indicators may use).
STATISTICS = tuple(dict.fromkeys(s for names in _BY_SUMMARY.values() for s in names))


def is_share(statistic):
    """True when the statistic is a share (shown as a percentage), else a score or an index."""
    return statistic in SHARE_STATISTICS


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
    flags: tuple = ()  # why the estimate falls short of the presentation standards


def _rubric(indicators):
    entries = []
    for indicator in indicators:
        estimate = {"question": indicator.question, "statistic": indicator.statistic}
        if indicator.codes:
            estimate["codes"] = list(indicator.codes)
        entries.append(
            {
                "id": indicator.id,
                "name": {"zh": indicator.name},
                "points": indicator.weight,
                "estimate": estimate,
                "rule": indicator.rule.as_dict(),
            }
        )
    return {"indicators": entries}


def indicator_problems(survey_key, indicators):
    """Why the survey indicators cannot be scored on the survey's questions (empty when they can,
    or when the survey is not loaded yet)."""
    survey = get_survey(survey_key) if survey_key and indicators else None
    if survey is None or survey.latest_version is None:
        return []
    try:
        validate_rubric(_rubric(indicators), plan_for(definition_of(survey.latest_version)))
    except RubricError as exc:
        return [str(exc)]
    return []


def _scores(survey, rubric):
    """The rubric scored on the survey's results; shares the survey's own rubric does not
    publish are computed by adding the indicators to its settings' rubric."""
    version, settings = settings_service.current(survey)
    results = compute_results(survey, settings, version)
    if results.n < 2:
        return None
    validate_rubric(rubric, results.plan)
    try:
        return score_indicators(results.estimate, rubric, results.plan)
    except MissingEstimate:
        own = (settings.get("rubric") or {}).get("indicators", [])
        extended = {**settings, "rubric": {"indicators": [*own, *rubric["indicators"]]}}
        results = compute_results(survey, extended, version)
        return score_indicators(results.estimate, rubric, results.plan)


def survey_figures(survey_key, indicators):
    """``{indicator id: SurveyFigure}``, or None when the survey is missing or has no responses.

    Raises :class:`~surveyapp.results.rubric.RubricError` when an indicator names an estimate
    the survey cannot have.
    """
    if not survey_key or not indicators:
        return None
    survey = get_survey(survey_key)
    if survey is None or survey.latest_version is None:
        return None
    rows = _scores(survey, _rubric(indicators))
    if rows is None:
        return None
    return {
        row.id: SurveyFigure(
            estimate=row.estimate,
            ci_low=row.ci_low,
            ci_high=row.ci_high,
            n=int(row.n or 0),
            points=row.points,
            points_low=row.points_low,
            points_high=row.points_high,
            flags=row.flags,
        )
        for row in rows
    }
