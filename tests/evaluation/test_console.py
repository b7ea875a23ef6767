"""The evaluation console: score page, counts and manual scores (versioned, audited), texts, report."""

import io

from docx import Document
from sqlalchemy import select

from surveyapp.evaluation import services
from surveyapp.models import AuditEntry
from tests.conftest import login_as
from tests.evaluation.conftest import KEY
from tests.results.conftest import csrf_from

URL = f"/console/evaluations/{KEY}"


def _audit(app, action):
    with app.app_context():
        from surveyapp.extensions import db

        return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def test_score_page_shows_the_table_and_the_flagged_printed_rate(loaded, client, users):
    login_as(client, users["viewer"])
    with client.get("/console/evaluations") as response:
        assert KEY in response.text
    with client.get(URL) as response:
        assert response.status_code == 200
        page = response.text
    assert "93.23" in page and "立案率" in page and "立案数 / 上报数 = 91.36%" in page
    assert 'id="consistency-problems"' in page and "83.98" in page and "98.29" in page
    with client.get(URL + "/counts") as response:
        assert response.status_code == 403


def test_counts_are_versioned_and_audited_and_bad_input_loses_nothing(loaded, client, users):
    login_as(client, users["evaluator"])
    token = csrf_from(client, URL + "/counts")
    with client.post(
        URL + "/counts", data={"csrf_token": token, "count-立案数": "abc"}
    ) as response:
        assert response.status_code == 200 and "不是数字" in response.text
    with loaded.app_context():
        assert len(services.get_evaluation(KEY).versions) == 1
    with client.post(
        URL + "/counts",
        data={"csrf_token": token, "count-立案数": "400,000", "count-上报数": "509566"},
    ) as response:
        assert response.status_code == 302
    with loaded.app_context():
        evaluation = services.get_evaluation(KEY)
        assert len(evaluation.versions) == 2
        card, _problems = services.scorecard(evaluation)
    assert card.leaf("o_filing").value == 400000 / 509566
    assert card.leaf("o_closing").value == 428644 / 400000
    entries = _audit(loaded, "evaluation.counts")
    assert len(entries) == 1 and entries[0].username == "evaluator1"
    csv = "name,value\n结案数,1000\n".encode()
    with client.post(
        URL + "/counts",
        data={"csrf_token": token, "counts_file": (io.BytesIO(csv), "counts.csv")},
        content_type="multipart/form-data",
    ) as response:
        assert response.status_code == 302
    with loaded.app_context():
        assert services.definition_of(services.get_evaluation(KEY)).count_values()["结案数"] == 1000


def test_manual_scores_with_evidence_and_the_weight_cap(loaded, client, users):
    login_as(client, users["evaluator"])
    token = csrf_from(client, URL + "/manual")
    data = {
        "csrf_token": token,
        "points-d_clarity": "2.5",
        "evidence-d_clarity": "补充了绩效目标表",
        "scored_by-d_clarity": "张三",
    }
    with client.post(URL + "/manual", data={**data, "points-d_clarity": "4"}) as response:
        assert response.status_code == 200 and "0 至 3" in response.text
    with client.post(URL + "/manual", data=data) as response:
        assert response.status_code == 302
    with loaded.app_context():
        card, _ = services.scorecard(services.get_evaluation(KEY))
    leaf = card.leaf("d_clarity")
    assert leaf.points == 2.5 and leaf.indicator.evidence == "补充了绩效目标表"
    assert leaf.indicator.scored_by == "张三"
    # The other manual indicators kept their points (the form sent nothing for them).
    assert card.leaf("d_basis").points == 3
    assert len(_audit(loaded, "evaluation.manual")) == 1


def test_texts_appear_in_the_report(loaded, client, users):
    login_as(client, users["evaluator"])
    token = csrf_from(client, URL + "/texts")
    with client.post(
        URL + "/texts",
        data={"csrf_token": token, "problems": "公众参与度较低", "suggestions": "加大宣传力度"},
    ) as response:
        assert response.status_code == 302
    with client.get(URL + "/report.docx") as response:
        assert response.status_code == 200
        doc = Document(io.BytesIO(response.data))
    text = [p.text for p in doc.paragraphs]
    assert "公众参与度较低" in text and "加大宣传力度" in text
    assert text.index("公众参与度较低") > text.index("五、存在的问题")
    assert len(_audit(loaded, "evaluation.report")) == 1
