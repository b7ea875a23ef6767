"""Glue for the results views: the results, the evaluations that use them, and the page context."""

from flask import abort
from sqlalchemy import select

from ..definitions.store import get_survey
from ..extensions import db
from ..models import Survey
from . import charts
from . import settings as settings_service
from .compute import compute_results
from .crosstab import CrosstabError
from .crosstab import crosstab
from .presentation import row_for
from .presentation import sections


def survey_or_404(key):
    """The survey with this key, or a 404."""
    survey = get_survey(key)
    if survey is None or survey.latest_version is None:
        abort(404)
    return survey


def all_surveys():
    """Every survey, by key."""
    return db.session.scalars(select(Survey).order_by(Survey.key)).all()


def full_results(survey):
    """The survey's results under the current settings."""
    version, settings = settings_service.current(survey)
    return compute_results(survey, settings, version)


def crosstab_view(survey, results, question, by, lang):
    """``(crosstab rows, tests, error)`` for the page's crosstab form (nothing asked: Nones)."""
    if not question or not by:
        return None, (), None
    try:
        table = crosstab(survey, question, by)
    except CrosstabError as exc:
        return None, (), str(exc)
    return tuple(row_for(results, f, lang) for f in table.figures), table.tests, None


def page_context(survey, lang, question=None, by=None):
    """Everything the results page renders (one computation, shared with its charts)."""
    # Evaluations read survey results through this package: imported here, not at load time.
    from ..evaluation.services import for_survey

    results = full_results(survey)
    definition = results.definition
    rows, tests, error = crosstab_view(survey, results, question, by, lang)
    return {
        "results": results,
        "definition": definition,
        "sections": sections(results, lang),
        "charts": charts.available(results),
        "evaluations": for_survey(survey.key),
        "crosstab": {
            "question": question,
            "by": by,
            "rows": rows,
            "tests": tests,
            "error": error,
            "questions": [
                q for q in definition.questions if results.plan.qtype(q.key).summary != "text"
            ],
            "categorical": [
                q for q in definition.questions if results.plan.qtype(q.key).categorical
            ],
        },
    }
