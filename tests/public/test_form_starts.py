"""Forms handed out: one start per client and survey within the window, GETs rate-limited, and
a completion rate that never exceeds 100%."""

from datetime import datetime
from datetime import timedelta

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from surveyapp.extensions import db as _db
from surveyapp.models import FormStart
from tests.conftest import login_as
from tests.console.helpers import add_response
from tests.console.helpers import add_starts
from tests.console.helpers import default_survey

URL = "/s/nanyang-dcm"


def _starts(app):
    with app.app_context():
        return _db.session.scalar(select(func.count()).select_from(FormStart))


def test_reloading_the_form_hands_out_one_form(app, client):
    for _ in range(30):
        assert client.get(URL).status_code == 200
    assert _starts(app) == 1
    other = app.test_client()
    other.get(URL, headers={"User-Agent": "another phone"})
    assert _starts(app) == 2
    # An hour later the same client counts again.
    with app.app_context():
        _db.session.execute(
            update(FormStart).values(started_at=FormStart.started_at - timedelta(hours=2))
        )
        _db.session.commit()
    client.get(URL)
    assert _starts(app) == 3


def test_form_pages_are_rate_limited_per_address(app_with):
    app = app_with(RATELIMIT_ENABLED=True, RATELIMIT_FORM="5 per minute")
    client = app.test_client()
    statuses = [client.get(URL).status_code for _ in range(7)]
    assert statuses == [200] * 5 + [429] * 2
    # Posting is limited separately: the form page limit does not use up submissions.
    assert client.post(URL, data={}).status_code != 429


def test_completion_rate_never_exceeds_100_percent(app, client, users):
    with app.app_context():
        survey = default_survey()
        for i in range(4):
            add_response(survey, datetime(2026, 3, 1, 2, i), "wechat", 300)
        add_starts(survey, "wechat", 2)
        _db.session.commit()
    login_as(client, users["viewer"])
    client.get("/console/surveys?lang=en")
    page = client.get("/console/surveys/nanyang-dcm").get_data(as_text=True)
    assert 'id="kpi-completion">100.0%<' in page or 'id="kpi-completion">100%<' in page
    assert "200" not in page.split('id="kpi-completion">')[1][:10]
    assert 'id="completion-note"' in page and "at most 100%" in page
