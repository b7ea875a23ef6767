"""Dashboard figures from a known set of responses, and the page that shows them."""

import re
from datetime import date
from datetime import datetime

import pytest

from surveyapp.console import dashboard
from surveyapp.console.fieldwork import quota_progress
from surveyapp.dataops.quality import median_duration
from surveyapp.definitions.store import definition_of
from surveyapp.extensions import db as _db
from surveyapp.models import Quota
from tests.console.helpers import add_response
from tests.console.helpers import add_starts
from tests.console.helpers import default_survey


@pytest.fixture
def fieldwork(app):
    """Five responses across a local (UTC+8) midnight, three channels, one excluded; 11 starts."""
    with app.app_context():
        survey = default_survey()
        add_response(
            survey, datetime(2026, 3, 1, 1, 0), "wechat", 120, district=1
        )  # 09:00 on 1 March in Nanyang
        add_response(
            survey, datetime(2026, 3, 1, 15, 30), "wechat", 300, district=1
        )  # 23:30 on 1 March
        add_response(
            survey, datetime(2026, 3, 1, 16, 30), "poster", 200, district=2
        )  # 00:30 on 2 March
        add_response(survey, datetime(2026, 3, 3, 3, 0), "hotline-interview", None, district=3)
        add_response(
            survey, datetime(2026, 3, 3, 4, 0), "wechat", 600, status="excluded", district=1
        )
        add_starts(survey, "wechat", 6)
        add_starts(survey, "poster", 4)
        add_starts(survey, "hotline-interview", 1)
        _db.session.add_all(
            [
                Quota(survey_id=survey.id, question="district", code=1, target=10),
                Quota(survey_id=survey.id, question="district", code=2, target=5),
            ]
        )
        _db.session.commit()


def test_figures(app, fieldwork):
    with app.app_context():
        survey = default_survey()
        figures = dashboard.build(survey)
        assert (figures.submitted, figures.valid, figures.excluded, figures.starts) == (5, 4, 1, 11)
        assert figures.completion_rate == pytest.approx(5 / 11)
        assert figures.median_seconds == pytest.approx((200 + 300) / 2)
        # Local days: the 16:30 UTC response belongs to 2 March in Nanyang.
        assert figures.per_day == [
            (date(2026, 3, 1), 2),
            (date(2026, 3, 2), 1),
            (date(2026, 3, 3), 2),
        ]
        # Most responses first, ties broken by most forms handed out.
        assert figures.per_channel == [
            ("wechat", 6, 3),
            ("poster", 4, 1),
            ("hotline-interview", 1, 1),
        ]
        district = definition_of(survey.latest_version).question("district")
        cells = {c["code"]: (c["count"], c["target"]) for c in quota_progress(survey, district)}
        assert cells == {1: (2, 10), 2: (1, 5), 3: (1, None), 4: (0, None)}


def test_days_without_responses_are_zero(app):
    with app.app_context():
        survey = default_survey()
        add_response(survey, datetime(2026, 3, 1, 4, 0), district=1)
        add_response(survey, datetime(2026, 3, 4, 4, 0), district=1)
        assert [n for _d, n in dashboard.responses_per_day(survey.id)] == [1, 0, 0, 1]
        _db.session.rollback()


def test_median_of_odd_count(app):
    with app.app_context():
        survey = default_survey()
        for seconds in (50, 10, 400):
            add_response(survey, datetime(2026, 3, 1, 4, 0), duration=seconds, district=1)
        assert median_duration(survey.id) == (50, 3)
        assert dashboard.build(survey).median_seconds == 50
        _db.session.rollback()


def cells_of(page, table_id):
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', page, re.S).group(0)
    return [
        re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)[1:]
    ]


def test_dashboard_page(client, as_role, fieldwork):
    as_role("viewer")
    page = client.get("/console/surveys/nanyang-dcm?lang=en").get_data(as_text=True)
    assert 'id="kpi-submitted">5<' in page
    assert 'id="kpi-valid">4<' in page
    assert 'id="kpi-completion">45.5%<' in page
    assert 'id="kpi-median">4.2 min<' in page
    assert cells_of(page, "per-day") == [
        ["2026-03-03", "2"],
        ["2026-03-02", "1"],
        ["2026-03-01", "2"],
    ]
    channels = cells_of(page, "per-channel")
    assert channels[0] == ["<code>wechat</code>", "6", "3", "50.0%"]
    quota = cells_of(page, "quota-progress")
    assert quota[0] == ["Wancheng District", "2", "10", "20.0%"]
    assert quota[2] == ["High-tech Zone", "1", "–", "–"]
    # Charts are inline SVG drawn with classes only: nothing the CSP would block.
    assert page.count('<svg class="c-chart') == 3
    assert "style=" not in page and "<script>" not in page
    # A viewer sees no links to evaluator pages.
    assert "/console/surveys/nanyang-dcm/quotas" not in page
    assert "/console/surveys/nanyang-dcm/distribution" not in page


def test_dashboard_without_responses(client, as_role):
    as_role("evaluator")
    response = client.get("/console/surveys/nanyang-dcm?lang=en")
    assert response.status_code == 200
    assert "No responses yet." in response.get_data(as_text=True)
