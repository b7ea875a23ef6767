"""Survey lifecycle: a loaded survey is a draft, staff preview it (test answers), then publish,
close and reopen it; every transition is audited."""

import re

from sqlalchemy import select

from surveyapp.exports.services import response_export
from surveyapp.extensions import db
from surveyapp.models import Response
from tests.console.conftest import audit_actions
from tests.console.conftest import csrf_token
from tests.console.helpers import default_survey

DRAFT_YAML = """\
key: pilot-xq7
title: {zh: 试点问卷, en: Pilot questionnaire}
questions:
  - key: q_one
    type: single
    required: true
    text: {zh: 第一题, en: First question}
    choices:
      - {code: 1, label: {zh: 是, en: "Yes"}}
      - {code: 2, label: {zh: 否, en: "No"}}
"""


def load_draft(runner, tmp_path):
    path = tmp_path / "pilot.yaml"
    path.write_text(DRAFT_YAML, encoding="utf-8")
    result = runner.invoke(args=["survey", "load", str(path)])
    assert result.exit_code == 0, result.output


def form_fields(page):
    return dict(re.findall(r'name="(csrf_token|_st)"[^>]*?value="([^"]*)"', page))


def test_loaded_survey_is_a_draft_the_public_cannot_open(app, runner, tmp_path):
    load_draft(runner, tmp_path)
    public = app.test_client()
    assert public.get("/s/pilot-xq7").status_code == 404
    assert public.get("/s/pilot-xq7?preview=1").status_code == 404
    # Not listed: the only open survey is still the default one, so / goes straight to it.
    assert public.get("/").headers["Location"].endswith("/s/nanyang-dcm")


def test_preview_answers_are_test_answers_left_out_of_figures(app, runner, tmp_path, as_role):
    load_draft(runner, tmp_path)
    client = as_role("evaluator")
    page = client.get("/s/pilot-xq7?preview=1")
    assert page.status_code == 200
    assert "Preview" in page.get_data(as_text=True) or "预览" in page.get_data(as_text=True)
    sent = client.post(
        "/s/pilot-xq7?preview=1", data={**form_fields(page.get_data(as_text=True)), "q_one": "1"}
    )
    assert sent.status_code == 303 and "preview=1" in sent.headers["Location"]
    assert client.get(sent.headers["Location"]).status_code == 200
    with app.app_context():
        assert db.session.scalars(select(Response.status)).all() == ["test"]
        from surveyapp.definitions.store import get_survey

        survey = get_survey("pilot-xq7")
        assert list(response_export(survey)[1]) == []
        assert len(list(response_export(survey, include_test=True)[1])) == 1
    # Nothing was counted as a form handed out, and the dashboard names the test answers apart.
    dashboard = client.get("/console/surveys/pilot-xq7").get_data(as_text=True)
    assert 'id="kpi-submitted">0<' in dashboard and 'id="test-answers"' in dashboard


def test_viewers_cannot_preview(runner, tmp_path, as_role):
    load_draft(runner, tmp_path)
    assert as_role("viewer").get("/s/pilot-xq7?preview=1").status_code == 404


def test_publish_close_and_reopen_from_the_command_line(app, runner, tmp_path):
    load_draft(runner, tmp_path)
    public = app.test_client()
    result = runner.invoke(args=["survey", "close", "pilot-xq7"])
    assert result.exit_code != 0 and "draft" in result.output
    assert runner.invoke(args=["survey", "publish", "pilot-xq7"]).exit_code == 0
    assert public.get("/s/pilot-xq7").status_code == 200
    assert runner.invoke(args=["survey", "close", "pilot-xq7"]).exit_code == 0
    assert public.get("/s/pilot-xq7").status_code == 410
    assert runner.invoke(args=["survey", "reopen", "pilot-xq7"]).exit_code == 0
    assert public.get("/s/pilot-xq7").status_code == 200
    actions = [
        (e.action, e.detail["previous"])
        for e in audit_actions(app)
        if e.action in ("survey.publish", "survey.close", "survey.open")
    ]
    assert actions == [
        ("survey.publish", "draft"),
        ("survey.close", "open"),
        ("survey.open", "closed"),
    ]


def test_console_publishes_a_draft_after_confirmation(app, runner, tmp_path, as_role):
    load_draft(runner, tmp_path)
    client = as_role("evaluator")
    page = client.get("/console/surveys/pilot-xq7/versions").get_data(as_text=True)
    assert "data-confirm=" in page and "?preview=1" in page
    token = csrf_token(client, "/console/surveys/pilot-xq7/versions")
    sent = client.post(
        "/console/surveys/pilot-xq7/status", data={"csrf_token": token, "status": "open"}
    )
    assert sent.status_code == 302
    assert app.test_client().get("/s/pilot-xq7").status_code == 200
    assert [e.detail["previous"] for e in audit_actions(app, "survey.publish")] == ["draft"]


def test_load_default_publishes_the_shipped_survey(request, tmp_path):
    from surveyapp import create_app
    from tests.conftest import fresh_database
    from tests.conftest import make_config

    app = create_app(make_config(fresh_database(request, "sqlite", tmp_path, name="empty")))
    result = app.test_cli_runner().invoke(args=["survey", "load-default", "--if-absent"])
    assert result.exit_code == 0, result.output
    assert app.test_client().get("/s/nanyang-dcm").status_code == 200
    with app.app_context():
        assert default_survey().status == "open"
        db.session.remove()
        db.engine.dispose()


def test_survey_list_offers_a_draft_preview(runner, tmp_path, as_role):
    load_draft(runner, tmp_path)
    page = as_role("evaluator").get("/console/surveys").get_data(as_text=True)
    assert "/s/pilot-xq7?preview=1" in page
    assert "/s/nanyang-dcm?preview=1" not in page  # published surveys have their own link


def test_console_export_includes_test_answers_only_when_asked(app, runner, tmp_path, as_role):
    """A preview answer (test) and a public one (valid): the console export has only the valid
    one unless "include test answers" is ticked; then both, the preview one with status test."""
    import csv
    import io

    load_draft(runner, tmp_path)
    client = as_role("evaluator")
    page = client.get("/s/pilot-xq7?preview=1").get_data(as_text=True)
    client.post("/s/pilot-xq7?preview=1", data={**form_fields(page), "q_one": "1"})
    assert runner.invoke(args=["survey", "publish", "pilot-xq7"]).exit_code == 0
    public = app.test_client()
    page = public.get("/s/pilot-xq7").get_data(as_text=True)
    assert public.post("/s/pilot-xq7", data={**form_fields(page), "q_one": "2"}).status_code == 303

    results = client.get("/console/surveys/pilot-xq7/results").get_data(as_text=True)
    box = re.search(r'<input type="checkbox" name="include_test"[^>]*>', results)
    assert box and "checked" not in box.group(0)

    def exported(**params):
        with client.get(
            "/console/surveys/pilot-xq7/results/export", query_string={"format": "csv", **params}
        ) as response:
            assert response.status_code == 200
            text = response.get_data().decode("utf-8-sig")
        return sorted((r["status"], r["q_one"]) for r in csv.DictReader(io.StringIO(text)))

    assert exported() == [("valid", "2")]
    assert exported(include_test="1") == [("test", "1"), ("valid", "2")]
    details = [e.detail for e in audit_actions(app, "export")]
    assert [(d["what"], d["include_test"]) for d in details] == [
        ("responses", False),
        ("responses", True),
    ]
