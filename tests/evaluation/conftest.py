"""Evaluation fixtures: the example evaluation loaded, with or without survey responses."""

import pytest

from surveyapp.definitions.store import get_survey
from surveyapp.demo import insert_demo_responses
from surveyapp.evaluation import services
from surveyapp.extensions import db as _db

KEY = "nanyang-dcm-2021"


@pytest.fixture
def loaded(app):
    """The app with the shipped example evaluation loaded (the survey has no responses)."""
    with app.app_context():
        services.save_document(services.read_file(services.builtin_path(KEY)), "test")
        _db.session.commit()
    return app


@pytest.fixture
def with_responses(loaded):
    """The example evaluation and 400 synthetic responses to its survey (seed 5)."""
    with loaded.app_context():
        insert_demo_responses(
            get_survey(services.read_file(services.builtin_path(KEY))["survey"]), 400, seed=5
        )
        _db.session.commit()
    return loaded
