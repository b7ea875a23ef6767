"""``load_frame`` (columnar reading) gives the frame a row-by-row reading of the answers gives."""

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from surveyapp.definitions import load_text
from surveyapp.definitions.store import get_survey
from surveyapp.definitions.store import save_definition
from surveyapp.demo import insert_demo_responses
from surveyapp.extensions import db
from surveyapp.models import Answer
from surveyapp.models import Response
from surveyapp.results import data
from surveyapp.results.data import load_frame
from tests.test_demo_data import random_survey


def _expected(survey, definition, statuses=("valid",), since=None, only=None):
    """The frame built the plain way: ORM rows, one Python loop."""
    singles, multiples, numbers = data.analysis_columns(definition)
    if only is not None:
        singles = [k for k in singles if k in only]
        multiples = [q for q in multiples if q.key in only]
        numbers = [k for k in numbers if k in only]
    query = select(Response).where(Response.survey_id == survey.id, Response.status.in_(statuses))
    if since is not None:
        query = query.where(Response.submitted_at >= since)
    responses = db.session.scalars(query.order_by(Response.id)).all()
    rows = []
    for r in responses:
        answers = db.session.scalars(select(Answer).where(Answer.response_id == r.id)).all()
        row = {
            "response_id": r.id,
            "version_id": r.version_id,
            "channel": r.channel,
            "submitted_at": r.submitted_at,
            "status": r.status,
        }
        for key in singles:
            row[key] = next((float(a.code) for a in answers if a.question == key), np.nan)
        for q in multiples:
            ticked = {a.code for a in answers if a.question == q.key}
            for c in q.choices:
                row[f"{q.key}_{c.code}"] = float(c.code in ticked) if ticked else np.nan
        for key in numbers:
            row[key] = next((a.number for a in answers if a.question == key), np.nan)
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame["channel"] = frame["channel"].astype(object)
    frame["status"] = frame["status"].astype(object)
    frame["submitted_at"] = pd.to_datetime(frame["submitted_at"]).astype("datetime64[us]")
    return frame


@pytest.fixture
def surveys(app):
    """Two surveys with interleaved response ids (the reader must keep them apart)."""
    text, _keys, _codes = random_survey(seed=8)
    definition = load_text(text, "random.yaml")
    with app.app_context():
        save_definition(definition)
        db.session.commit()
        mine, other = get_survey(definition.key), get_survey("nanyang-dcm")
        for seed in range(3):
            insert_demo_responses(mine, 150, seed=seed)
            insert_demo_responses(other, 100, seed=seed)
        db.session.commit()
    return app, definition


def test_columnar_frame_equals_the_row_by_row_frame(surveys, monkeypatch):
    app, definition = surveys
    monkeypatch.setattr(data, "SLICE", 97)  # several slices, ids of the other survey between
    with app.app_context():
        survey = get_survey(definition.key)
        got = load_frame(survey)
        pd.testing.assert_frame_equal(got, _expected(survey, definition))
        assert len(got) > 400
        both = load_frame(survey, statuses=("valid", "excluded"))
        pd.testing.assert_frame_equal(
            both, _expected(survey, definition, statuses=("valid", "excluded"))
        )
        since = got["submitted_at"].iloc[len(got) // 2].to_pydatetime()
        only = set(definition.answer_keys[:4])
        wave = load_frame(survey, where=[Response.submitted_at >= since], only=only)
        pd.testing.assert_frame_equal(wave, _expected(survey, definition, since=since, only=only))


def test_a_survey_without_responses_gives_an_empty_frame_with_every_column(app):
    text, _keys, _codes = random_survey(seed=12)
    definition = load_text(text, "random.yaml")
    with app.app_context():
        save_definition(definition)
        db.session.commit()
        frame = load_frame(get_survey(definition.key))
    assert len(frame) == 0
    assert list(frame.columns)[:5] == [
        "response_id",
        "version_id",
        "channel",
        "submitted_at",
        "status",
    ]
    singles, multiples, numbers = data.analysis_columns(definition)
    assert set(singles) | set(numbers) <= set(frame.columns)
