"""Helpers for the data operations tests: responses stored directly, as the public flow would."""

import itertools
from contextlib import contextmanager
from datetime import timedelta

import pytest

from surveyapp.dataops import quality
from surveyapp.definitions.store import definition_of
from surveyapp.definitions.store import get_survey
from surveyapp.extensions import db as _db
from surveyapp.models import Answer
from surveyapp.models import Response
from surveyapp.models._types import utcnow
from surveyapp.public.services import answers_hash
from tests.conftest import SAT_ITEMS

_SEQ = itertools.count(1)


def answer_rows(district=1, sat=(5, 4, 3, 4, 5, 4, 3), suggestion=None):
    """Answer rows ``(key, code, number, text)`` of a plausible questionnaire."""
    rows = [("district", district, None, None), ("awareness", 2, None, None)]
    rows += [(key, code, None, None) for key, code in zip(SAT_ITEMS, sat)]
    rows += [("sat_overall", 4, None, None), ("env_improved", 4, None, None)]
    if suggestion is not None:
        rows.append(("suggestion", None, None, suggestion))
    return rows


def store_response(
    rows=None,
    *,
    duration=300.0,
    client="client-a",
    channel="direct",
    submitted_at=None,
    status="valid",
    key="nanyang-dcm",
):
    """Add a response with its answers (inside an app context) and flush; returns it."""
    survey = get_survey(key)
    rows = answer_rows() if rows is None else rows
    submitted = submitted_at or utcnow()
    response = Response(
        survey_id=survey.id,
        version_id=survey.latest_version.id,
        submission_token=f"tok-{next(_SEQ)}",
        channel=channel,
        started_at=submitted - timedelta(seconds=duration) if duration is not None else None,
        submitted_at=submitted,
        duration_seconds=duration,
        client_hash=client,
        answers_hash=answers_hash(rows),
        status=status,
    )
    demographic = definition_of(survey.latest_version).demographic_keys
    response.answers = [
        Answer(
            survey_id=survey.id, question=k, code=c, number=n, text=t, demographic=k in demographic
        )
        for k, c, n, t in rows
    ]
    _db.session.add(response)
    _db.session.flush()
    return response


def flag(response):
    """Flag a stored response as the submission flow's hook does (its definition and rows)."""
    rows = [(a.question, a.code, a.number, a.text) for a in response.answers]
    return quality.flag_new_response(response, definition_of(response.version), rows)


@contextmanager
def in_app(app):
    """An app context of its own for setting up or checking data, committed at the end."""
    with app.app_context():
        yield _db
        _db.session.commit()
        _db.session.remove()


@pytest.fixture
def survey(db):
    """The default survey."""
    return get_survey("nanyang-dcm")


@pytest.fixture
def staff(app):
    """Users as plain records: ``staff[name]`` for admin, admin2, evaluator and viewer."""
    from types import SimpleNamespace

    from tests.conftest import create_user

    made = {}
    with app.app_context():
        for name, role in (
            ("admin", "admin"),
            ("admin2", "admin"),
            ("evaluator", "evaluator"),
            ("viewer", "viewer"),
        ):
            user = create_user(f"{name}1", role)
            made[name] = SimpleNamespace(id=user.id, username=user.username, role=role)
    return made
