"""Survey list, definition versions, uploading YAML, opening and closing; roles on each."""

import io
import re

from surveyapp.definitions import builtin_path
from surveyapp.definitions.store import get_survey
from surveyapp.extensions import db as _db
from tests.console.conftest import audit_actions
from tests.console.conftest import csrf_token

DEFAULT = builtin_path("nanyang-dcm").read_text(encoding="utf-8")

INVALID = """\
key: nanyang-dcm
title: {zh: 测试}
questions:
  - key: district
    type: demographic
    text: {zh: 区}
    choices:
      - {code: 1, label: {zh: 宛城区}}
      - {code: 1, label: {zh: 卧龙区}}
  - key: colour
    type: paint
    text: {zh: 颜色}
  - key: Bad-Key
    type: single
"""


def upload(client, url, text, filename="survey.yaml"):
    token = csrf_token(client, "/console/surveys")
    data = {"csrf_token": token, "definition": (io.BytesIO(text.encode("utf-8")), filename)}
    return client.post(url, data=data, content_type="multipart/form-data")


def versions_of(app, key="nanyang-dcm"):
    with app.app_context():
        survey = get_survey(key)
        return [(v.number, v.source_name) for v in survey.versions] if survey else None


def test_survey_list_shows_status_version_and_responses(client, as_role):
    as_role("viewer")
    page = client.get("/console/surveys?lang=en").get_data(as_text=True)
    assert "nanyang-dcm" in page
    assert "Open" in page
    assert "Load a survey definition" not in page  # viewers cannot upload


def confirm(client, page, acknowledge=True):
    """Post the confirmation form of a changes page (as its Confirm button does)."""
    html = page.get_data(as_text=True)
    fields = dict(
        re.findall(r'name="(csrf_token|definition|source|base)"[^>]*value="([^"]*)"', html)
    )
    action = re.search(r'action="([^"]*/versions/confirm)"', html).group(1)
    return client.post(action, data={**fields, **({"acknowledge": "y"} if acknowledge else {})})


def test_upload_new_version(app, client, as_role):
    as_role("evaluator")
    changed = DEFAULT.replace("您目前居住在哪个区？", "您现在住在哪个区？")
    response = upload(
        client, "/console/surveys/nanyang-dcm/versions/upload", changed, "nanyang-v2.yaml"
    )
    # The survey is open: the changes are shown first and nothing is stored yet.
    assert response.status_code == 200 and 'id="changes"' in response.get_data(as_text=True)
    assert versions_of(app) == [(1, "builtin:nanyang-dcm")]
    assert confirm(client, response).status_code == 302
    assert versions_of(app) == [(1, "builtin:nanyang-dcm"), (2, "upload:nanyang-v2.yaml")]
    page = client.get("/console/surveys/nanyang-dcm/versions").get_data(as_text=True)
    assert "upload:nanyang-v2.yaml" in page
    entry = audit_actions(app, "survey.load")[-1]
    assert entry.username == "evaluator1"
    assert entry.detail["version"] == 2
    # The same content again is no new version and no audit entry.
    upload(client, "/console/surveys/nanyang-dcm/versions/upload", changed, "again.yaml")
    assert len(versions_of(app)) == 2
    assert len(audit_actions(app, "survey.load")) == 1


def test_invalid_upload_lists_every_problem_and_stores_nothing(app, client, as_role):
    as_role("evaluator")
    response = upload(
        client, "/console/surveys/nanyang-dcm/versions/upload", INVALID, "broken.yaml"
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    # In the console's language (Chinese by default) ...
    assert "broken.yaml: 第 9 行第 10 列：题目 district：选项代码 1 重复" in page
    assert "broken.yaml: 第 11 行第 5 列：题目 colour：未知题型 &#39;paint&#39;" in page
    assert "broken.yaml: 第 13 行第 5 列：第 3 题：key &#39;Bad-Key&#39; 必须是 snake_case" in page
    assert "is not unique" not in page and "unknown question type" not in page
    # ... and in English.
    client.get("/console/surveys?lang=en")
    response = upload(
        client, "/console/surveys/nanyang-dcm/versions/upload", INVALID, "broken.yaml"
    )
    page = response.get_data(as_text=True)
    assert "broken.yaml: line 9, column 10: question district: choice code 1 is not unique" in page
    assert "broken.yaml: line 11, column 5: question colour: unknown question type" in page
    assert "broken.yaml: line 13, column 5: question 3: key &#39;Bad-Key&#39; must be" in page
    assert versions_of(app) == [(1, "builtin:nanyang-dcm")]
    assert audit_actions(app, "survey.load") == []


def test_upload_refuses_other_key_bad_yaml_and_binary(app, client, as_role):
    as_role("evaluator")
    other = DEFAULT.replace("key: nanyang-dcm", "key: other-survey", 1)
    page = upload(client, "/console/surveys/nanyang-dcm/versions/upload", other).get_data(
        as_text=True
    )
    assert "other-survey" in page
    response = upload(client, "/console/surveys/nanyang-dcm/versions/upload", "key: [unclosed")
    assert response.status_code == 400 and "不是有效的 YAML" in response.get_data(as_text=True)
    token = csrf_token(client, "/console/surveys")
    response = client.post(
        "/console/surveys/nanyang-dcm/versions/upload",
        data={"csrf_token": token, "definition": (io.BytesIO(b"\xff\xfe\x00bad"), "x.yaml")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    response = client.post(
        "/console/surveys/nanyang-dcm/versions/upload", data={"csrf_token": token}
    )
    assert response.status_code == 400
    assert versions_of(app) == [(1, "builtin:nanyang-dcm")]


def test_upload_from_the_list_creates_a_new_survey(app, client, as_role):
    as_role("evaluator")
    other = DEFAULT.replace("key: nanyang-dcm", "key: wolong-pilot", 1)
    assert upload(client, "/console/surveys/upload", other, "pilot.yaml").status_code == 302
    assert versions_of(app, "wolong-pilot") == [(1, "upload:pilot.yaml")]
    assert "wolong-pilot" in client.get("/console/surveys").get_data(as_text=True)
    assert audit_actions(app, "survey.load")[-1].detail["source"] == "upload:pilot.yaml"


def test_close_and_reopen(app, client, as_role):
    as_role("evaluator")
    token = csrf_token(client, "/console/surveys")
    response = client.post(
        "/console/surveys/nanyang-dcm/status", data={"csrf_token": token, "status": "closed"}
    )
    assert response.status_code == 302
    with app.app_context():
        assert get_survey("nanyang-dcm").status == "closed"
    client.post("/console/surveys/nanyang-dcm/status", data={"csrf_token": token, "status": "open"})
    with app.app_context():
        assert get_survey("nanyang-dcm").status == "open"
    client.post(
        "/console/surveys/nanyang-dcm/status", data={"csrf_token": token, "status": "deleted"}
    )
    with app.app_context():
        assert get_survey("nanyang-dcm").status == "open"
    actions = [e.action for e in audit_actions(app) if e.action.startswith("survey.")]
    assert actions == ["survey.close", "survey.open"]


def test_viewer_cannot_change_surveys(app, client, as_role):
    as_role("viewer")
    token = csrf_token(client, "/console/surveys")
    assert client.get("/console/surveys/nanyang-dcm/versions").status_code == 403
    assert (
        upload(client, "/console/surveys/nanyang-dcm/versions/upload", DEFAULT).status_code == 403
    )
    assert upload(client, "/console/surveys/upload", DEFAULT).status_code == 403
    response = client.post(
        "/console/surveys/nanyang-dcm/status", data={"csrf_token": token, "status": "closed"}
    )
    assert response.status_code == 403
    with app.app_context():
        assert get_survey("nanyang-dcm").status == "open"
        _db.session.remove()


def test_unknown_survey_is_404(client, as_role):
    as_role("admin")
    assert client.get("/console/surveys/nope").status_code == 404
    assert client.get("/console/surveys/nope/versions").status_code == 404


def test_anonymous_is_redirected_from_every_console_page(app, client):
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("console."):
            continue
        url = (
            rule.rule.replace("<key>", "nanyang-dcm")
            .replace("<fmt>", "png")
            .replace("<int:user_id>", "1")
            .replace("<int:number>", "1")
        )
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method)
        assert response.status_code in (302, 400), (url, response.status_code)
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/auth/login")


def test_oversized_upload_gets_a_message(app, client, as_role):
    as_role("evaluator")
    client.get("/console/surveys?lang=en")
    huge = DEFAULT + "#" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    response = upload(client, "/console/surveys/nanyang-dcm/versions/upload", huge)
    assert response.status_code == 303
    assert response.headers["Location"] == "/console/surveys/nanyang-dcm/versions"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The file is too large" in page
    assert versions_of(app) == [(1, "builtin:nanyang-dcm")]
