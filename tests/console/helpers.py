"""Inserting responses with known answers, times and channels, for fieldwork figures."""

import secrets
from datetime import datetime

from surveyapp.definitions.store import definition_of
from surveyapp.definitions.store import get_survey
from surveyapp.extensions import db
from surveyapp.models import Answer
from surveyapp.models import FormStart
from surveyapp.models import Response


def add_response(survey, submitted_at, channel="direct", duration=None, status="valid", **codes):
    """Add and flush a response to ``survey``'s newest version, one coded answer per keyword."""
    response = Response(
        survey_id=survey.id,
        version_id=survey.latest_version.id,
        submission_token=secrets.token_hex(16),
        channel=channel,
        submitted_at=submitted_at,
        duration_seconds=duration,
        status=status,
    )
    demographic = definition_of(survey.latest_version).demographic_keys
    response.answers = [
        Answer(survey_id=survey.id, question=q, code=c, demographic=q in demographic)
        for q, c in codes.items()
    ]
    db.session.add(response)
    db.session.flush()
    return response


def add_starts(survey, channel, n):
    """Record ``n`` questionnaires handed out on ``channel``."""
    db.session.add_all(
        FormStart(survey_id=survey.id, channel=channel, started_at=datetime(2026, 3, 1))
        for _ in range(n)
    )
    db.session.flush()


def default_survey():
    """The default survey."""
    return get_survey("nanyang-dcm")
