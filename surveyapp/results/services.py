"""Glue for the results views: results with the evaluator's score table, and the page context."""

from flask import abort
from sqlalchemy import select

from ..definitions.store import definition_of
from ..definitions.store import get_survey
from ..extensions import db
from ..i18n import text_in
from ..models import Survey
from . import scoretable
from . import settings as settings_service
from .compute import compute_results
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
    """(results, definition, evaluation table, its problems) under the current settings."""
    version, settings = settings_service.current(survey)
    results = compute_results(survey, settings, version)
    table = evaluation_table(results, settings)
    return (
        results,
        definition_of(survey.latest_version),
        table,
        scoretable.check(table, settings["grades"]),
    )


def evaluation_table(results, settings):
    """The evaluator's score table: rubric points in the benefit rows, manual points elsewhere."""
    return scoretable.build(
        results["indicators"], settings.get("manual_scores") or {}, settings["grades"]
    )


def page_context(survey, lang):
    """Everything the results page renders."""
    results, definition, table, problems = full_results(survey)
    district = definition.question("district")
    names = {str(c.code): text_in(c.label, lang) for c in district.choices} if district else {}
    return {
        "results": results,
        "definition": definition,
        "sections": sections(results, definition, lang),
        "table": table,
        "problems": problems,
        "district_names": names,
    }
