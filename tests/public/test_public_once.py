"""One answer per browser: the thank-you page marks the browser; the form then says it was
answered; a survey may allow more; a repeat that happens anyway is flagged a probable duplicate."""

import pytest
from sqlalchemy import select

from surveyapp.definitions import load_text
from surveyapp.definitions.loader import DefinitionError
from surveyapp.definitions.store import save_definition
from surveyapp.extensions import db as _db
from surveyapp.models import ResponseFlag
from tests.public.conftest import DEFAULT_URL
from tests.public.conftest import EVERY_TYPE_YAML
from tests.public.conftest import Respondent


def answer_and_see_thanks(client, complete, url=DEFAULT_URL):
    respondent = Respondent(client, url)
    respondent.open()
    response = respondent.submit(complete, url=url)
    assert response.status_code == 303
    thanks = client.get(response.headers["Location"])
    assert thanks.status_code == 200
    return respondent


def test_after_the_thank_you_page_the_form_says_it_was_answered(client, complete, counts):
    answer_and_see_thanks(client, complete)
    starts = counts()[2]
    again = client.get(DEFAULT_URL)
    page = again.get_data(as_text=True)
    assert again.status_code == 200
    assert "已经填写过" in page and "already been answered" in page  # both languages
    assert 'name="_st"' not in page and "<form" not in page
    assert counts()[2] == starts  # no form handed out
    english = client.get(DEFAULT_URL + "?lang=en").get_data(as_text=True)
    assert "<h1>Already answered</h1>" in english


def test_a_repeat_that_happens_anyway_is_flagged(app, client, complete, counts):
    early = Respondent(client)
    early.open()  # a second tab, opened before the first answer
    answer_and_see_thanks(client, complete)
    complete["years_lived"] = "30"
    assert early.submit(complete).status_code == 303
    assert counts()[0] == 2  # kept: nothing a respondent sends is lost
    with app.app_context():
        flags = _db.session.scalars(select(ResponseFlag)).all()
    assert [(f.kind, "already answered" in f.reason) for f in flags] == [("duplicate", True)]


def test_a_survey_may_allow_several_answers(app, client):
    with app.app_context():
        text = EVERY_TYPE_YAML.replace("key: every-type", "key: every-type\nallow_multiple: true")
        save_definition(load_text(text, "every-type.yaml"), status="open")
        _db.session.commit()
    url = "/s/every-type"
    for visit in range(2):
        respondent = Respondent(client, url)
        assert 'name="_st"' in respondent.open().get_data(as_text=True)
        answers = {"q_single": "2", "q_demo": "1", "q_likert": "1", "g_a": "1", "g_b": "2"}
        answers |= {"q_rating": "5", "q_multi": "1", "q_number": str(visit), "q_text": "x"}
        response = respondent.submit(answers)
        assert response.status_code == 303, respondent.page
        client.get(response.headers["Location"])
    with app.app_context():
        assert _db.session.scalars(select(ResponseFlag)).all() == []


def test_allow_multiple_must_be_a_boolean():
    with pytest.raises(DefinitionError, match="allow_multiple"):
        load_text(EVERY_TYPE_YAML + "allow_multiple: sometimes\n")
