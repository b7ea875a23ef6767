"""Helpers shared by the data-operations views (and the console's): survey lookup, page number."""

from flask import abort
from flask import request

from ..definitions.store import definition_of
from ..definitions.store import get_survey


def survey_or_404(key):
    """The survey with this key, or a 404."""
    survey = get_survey(key)
    if survey is None:
        abort(404)
    return survey


def newest_definition(survey):
    """The survey's newest definition, or None while it has no version."""
    return definition_of(survey.latest_version) if survey.latest_version is not None else None


def page_number():
    """The ``?page=`` number of a paginated list (1 when absent or not a sane number)."""
    value = request.args.get("page", "1")
    return int(value) if value.isdigit() and len(value) < 7 else 1
