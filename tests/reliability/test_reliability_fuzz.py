"""Hypothesis throws arbitrary posts at the questionnaire: never a 500, only valid answers kept."""

import os
import random
from urllib.parse import quote_from_bytes

import pytest
from flask_wtf.csrf import generate_csrf
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from reliability_support import harness
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from surveyapp.definitions.store import definition_of
from surveyapp.definitions.store import get_survey
from surveyapp.extensions import db
from surveyapp.models import Answer
from surveyapp.models import Response
from surveyapp.public.forms import Questionnaire
from tests.conftest import SAT_ITEMS

pytestmark = pytest.mark.slow

FORM = "/s/nanyang-dcm"
FIELDS = [
    "district",
    "years_lived",
    "awareness",
    "heard_via",
    "heard_via_other",
    "reported",
    "report_channel",
    *SAT_ITEMS,
    "sat_overall",
    "env_improved",
    "willing_report",
    "suggestion",
    "age_group",
    "gender",
    "csrf_token",
    "_st",
]
VALUES = ["1", "2", "3", "4", "5", "9", "0", "-1", "12.5", "1e309", "nan", "", " ", "６"]

texts = st.text(max_size=40) | st.sampled_from(VALUES) | st.text(min_size=900, max_size=1200)
names = st.sampled_from(FIELDS) | st.text(max_size=20)
pieces = st.one_of(
    st.tuples(names, texts, st.sampled_from(["utf-8", "latin-1", "gb18030"])),
    st.tuples(names, st.binary(max_size=40), st.just("raw")),
)
posts = st.fixed_dictionaries(
    {
        "complete": st.booleans(),
        "drop": st.sets(st.sampled_from(FIELDS), max_size=4),
        "extra": st.lists(pieces, max_size=8),
        "csrf": st.sampled_from(["valid", "valid", "garbage", "missing"]),
        "token": st.sampled_from(["fresh", "fresh", "garbage", "missing", "reused"]),
        "seed": st.integers(0, 2**16),
        "charset": st.sampled_from([None, "utf-8", "latin-1"]),
    }
)


def _encode(value, encoding):
    if isinstance(value, bytes):
        return quote_from_bytes(value)
    if encoding == "raw":
        encoding = "utf-8"
    return quote_from_bytes(value.encode(encoding, errors="replace"))


def _revalidate(app):
    """Every stored response must pass the questionnaire's validation with the same answer rows."""
    with app.test_request_context(), db.session.no_autoflush:
        survey = get_survey("nanyang-dcm")
        definition = definition_of(survey.latest_version)
        responses = db.session.scalars(select(Response)).all()
        for response in responses:
            rows = db.session.execute(
                select(Answer.question, Answer.code, Answer.number, Answer.text).where(
                    Answer.response_id == response.id
                )
            ).all()
            formdata = MultiDict({"csrf_token": generate_csrf()})
            for question, code, number, text in rows:
                value = code if code is not None else number if number is not None else text
                if isinstance(value, float) and value == int(value):
                    value = int(value)
                formdata.add(question, str(value))
            questionnaire = Questionnaire(definition, "zh_CN", formdata)
            assert questionnaire.validate(), (response.id, questionnaire.errors())
            assert sorted(map(tuple, questionnaire.rows), key=repr) == sorted(
                [tuple(r) for r in rows], key=repr
            )
        return {r.submission_token for r in responses}


def test_arbitrary_posts_never_fail_and_only_valid_responses_are_stored(app):
    client = app.test_client()
    with client.get(FORM) as page:
        form = harness.parse_form(page.data)
    csrf = form.hidden["csrf_token"]
    with app.app_context():
        version_id = get_survey("nanyang-dcm").latest_version.id
    secret = app.config["SECRET_KEY"]
    accepted, last = set(), {}
    # Bounded for `make test` on two cores; RELIABILITY_FUZZ_EXAMPLES=5000 for a deeper run.
    examples = int(os.environ.get("RELIABILITY_FUZZ_EXAMPLES", 0)) or (
        2000 if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") else 300
    )

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(post=posts)
    def check(post):
        rng = random.Random(post["seed"])
        pairs = harness.complete_answers(form, rng) if post["complete"] else []
        pairs = [(k, v) for k, v in pairs if k not in post["drop"]]
        encoded = [f"{_encode(k, 'utf-8')}={_encode(v, 'utf-8')}" for k, v in pairs]
        encoded += [f"{_encode(k, enc)}={_encode(v, enc)}" for k, v, enc in post["extra"]]
        if post["csrf"] != "missing":
            encoded.append("csrf_token=" + (csrf if post["csrf"] == "valid" else "x" * 20))
        if post["token"] == "fresh":
            token, nonce = harness.mint_token(secret, version_id)
        elif post["token"] == "reused" and last:
            token, nonce = last["token"], last["nonce"]
        elif post["token"] == "garbage":
            token, nonce = "eyJuIjoiYSJ9.garbage", None
        else:
            token, nonce = None, None
        if token:
            encoded.append("_st=" + token)
        rng.shuffle(encoded)
        content_type = "application/x-www-form-urlencoded"
        if post["charset"]:
            content_type += f"; charset={post['charset']}"
        with client.post(
            FORM, data="&".join(encoded).encode("ascii"), content_type=content_type
        ) as response:
            body = response.data
            status = response.status_code
        assert status < 500, body[:300]
        assert status in (303, 400, 409, 413, 422), status
        if status == 303:
            assert response.location.endswith("/thanks")
            if nonce:
                accepted.add(nonce)
                last.update(token=token, nonce=nonce)
        else:
            # A rejection always explains itself: the form again with a notice or errors.
            assert b"<h1" in body and (b"notice" in body or b"error" in body), body[:300]

    check()
    with app.app_context():
        stored = _revalidate(app)
    assert stored == accepted
