"""Invitation tokens, the token requirement, quotas and their enforcement (the public hooks)."""

import csv
import io
from datetime import datetime

import pytest
from sqlalchemy import select

from surveyapp.console.fieldwork import Refusal
from surveyapp.console.fieldwork import accept_submission
from surveyapp.console.fieldwork import admission_refusal
from surveyapp.definitions.store import get_survey
from surveyapp.extensions import db as _db
from surveyapp.models import Invitation
from surveyapp.models import Quota
from tests.console.conftest import audit_actions
from tests.console.conftest import csrf_token
from tests.console.helpers import add_response
from tests.console.helpers import default_survey

DAY = datetime(2026, 3, 2, 2, 0)


def tokens(app):
    with app.app_context():
        return _db.session.scalars(select(Invitation.token).order_by(Invitation.id)).all()


def generate(client, n):
    token = csrf_token(client, "/console/surveys")
    return client.post(
        "/console/surveys/nanyang-dcm/invitations/new", data={"csrf_token": token, "count": n}
    )


def test_generate_tokens_and_download_csv(app, client, as_role):
    as_role("evaluator")
    assert generate(client, 5).status_code == 302
    made = tokens(app)
    assert len(made) == 5 and len(set(made)) == 5
    assert all(len(t) >= 20 for t in made)
    page = client.get("/console/surveys/nanyang-dcm/invitations").get_data(as_text=True)
    assert 'id="inv-total">5<' in page
    with client.get("/console/surveys/nanyang-dcm/invitations.csv") as response:
        assert response.mimetype == "text/csv"
        assert "attachment" in response.headers["Content-Disposition"]
        body = response.data
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == ["token", "link", "qr_svg", "qr_png", "used_at"]
    assert [r[0] for r in rows[1:]] == made
    first = rows[1]
    assert first[1] == f"http://localhost/s/nanyang-dcm?t={made[0]}"
    assert first[2] == f"http://localhost/console/surveys/nanyang-dcm/qr.svg?t={made[0]}"
    with client.get(first[3].replace("http://localhost", "")) as qr:
        assert qr.status_code == 200 and qr.data[:4] == b"\x89PNG"
    actions = [(e.action, e.detail.get("count")) for e in audit_actions(app)]
    assert ("invitation.create", 5) in actions and ("invitation.export", 5) in actions


def test_generate_refuses_bad_counts(app, client, as_role):
    as_role("evaluator")
    for bad in ("0", "5001", "many", ""):
        assert generate(client, bad).status_code == 400
    assert tokens(app) == []


def test_requires_token_setting_is_audited(app, client, as_role):
    as_role("evaluator")
    token = csrf_token(client, "/console/surveys")
    client.post(
        "/console/surveys/nanyang-dcm/invitations/setting",
        data={"csrf_token": token, "requires_token": "y"},
    )
    with app.app_context():
        assert get_survey("nanyang-dcm").requires_token is True
    client.post("/console/surveys/nanyang-dcm/invitations/setting", data={"csrf_token": token})
    with app.app_context():
        assert get_survey("nanyang-dcm").requires_token is False
    assert [e.detail for e in audit_actions(app, "survey.settings")] == [
        {"requires_token": True},
        {"requires_token": False},
    ]


def test_token_rules_for_the_public_form(app):
    with app.test_request_context("/s/nanyang-dcm"):
        survey = default_survey()
        assert admission_refusal(survey, None) is None  # no token needed yet
        survey.requires_token = True
        good, other = (
            Invitation(survey_id=survey.id, token="tok-good"),
            Invitation(survey_id=survey.id, token="tok-2"),
        )
        _db.session.add_all([good, other])
        _db.session.commit()
        assert admission_refusal(survey, None).reason == "token_missing"
        assert admission_refusal(survey, "nope").reason == "token_unknown"
        assert admission_refusal(survey, "x" * 500).reason == "token_unknown"
        assert admission_refusal(survey, "tok-good") is None

        response = add_response(survey, DAY, district=1)
        accept_submission(survey, response, "tok-good")
        _db.session.commit()
        assert good.used_at is not None and response.invitation_id == good.id

        refusal = admission_refusal(survey, "tok-good")
        assert refusal.reason == "token_used" and refusal.status == 409
        assert str(refusal.message) == "该邀请已用于填写问卷，不能再次使用。感谢您的参与！"
        again = add_response(survey, DAY, district=1)
        with pytest.raises(Refusal) as caught:
            accept_submission(survey, again, "tok-good")
        assert caught.value.reason == "token_used"
        _db.session.rollback()


def test_a_token_cannot_be_claimed_twice_even_when_both_passed_the_pre_check(app, monkeypatch):
    from surveyapp.console import fieldwork

    with app.test_request_context("/s/nanyang-dcm"):
        survey = default_survey()
        survey.requires_token = True
        _db.session.add(Invitation(survey_id=survey.id, token="tok-race"))
        _db.session.commit()
        accept_submission(survey, add_response(survey, DAY, district=1), "tok-race")
        # A concurrent post whose pre-check ran before the first commit: only the UPDATE stops it.
        monkeypatch.setattr(fieldwork, "admission_refusal", lambda survey, token: None)
        with pytest.raises(Refusal) as caught:
            accept_submission(survey, add_response(survey, DAY, district=2), "tok-race")
        assert caught.value.reason == "token_used"
        _db.session.rollback()


def set_quotas(client, question, targets, enforced=False):
    token = csrf_token(client, "/console/surveys")
    data = {"csrf_token": token, "question": question}
    data.update({f"target_{code}": str(n) for code, n in targets.items()})
    if enforced:
        data["quota_enforced"] = "y"
    return client.post(f"/console/surveys/nanyang-dcm/quotas?question={question}", data=data)


def test_quota_form_saves_targets_and_is_audited(app, client, as_role):
    as_role("evaluator")
    assert (
        set_quotas(client, "district", {1: 100, 2: 80, 3: "", 4: 40}, enforced=True).status_code
        == 302
    )
    with app.app_context():
        rows = _db.session.execute(
            select(Quota.code, Quota.target).where(Quota.question == "district")
        ).all()
        assert sorted(rows) == [(1, 100), (2, 80), (4, 40)]
        assert get_survey("nanyang-dcm").quota_enforced is True
    set_quotas(client, "district", {1: 120, 2: "", 3: "", 4: 40})
    with app.app_context():
        rows = _db.session.execute(
            select(Quota.code, Quota.target).where(Quota.question == "district")
        ).all()
        assert sorted(rows) == [(1, 120), (4, 40)]
        assert get_survey("nanyang-dcm").quota_enforced is False
    entries = audit_actions(app, "quota.set")
    assert entries[0].detail == {
        "question": "district",
        "targets": {"1": 100, "2": 80, "4": 40},
        "enforced": True,
    }
    assert entries[1].detail["targets"] == {"1": 120, "4": 40}


def test_quota_form_other_question_and_bad_values(app, client, as_role):
    as_role("evaluator")
    page = client.get("/console/surveys/nanyang-dcm/quotas?question=gender&lang=en").get_data(
        as_text=True
    )
    assert 'name="target_1"' in page
    response = set_quotas(client, "district", {1: -5, 2: "lots"})
    assert response.status_code == 400
    with app.app_context():
        assert _db.session.scalars(select(Quota)).all() == []
    assert audit_actions(app, "quota.set") == []


def test_full_cell_is_turned_away_politely_when_enforced(app):
    with app.test_request_context("/s/nanyang-dcm"):
        survey = default_survey()
        _db.session.add(Quota(survey_id=survey.id, question="district", code=1, target=2))
        add_response(survey, DAY, district=1)
        add_response(
            survey, DAY, district=1, status="excluded"
        )  # excluded answers do not fill a cell
        second = add_response(survey, DAY, district=1)
        accept_submission(survey, second, None)  # not enforced: accepted anyway
        survey.quota_enforced = True
        _db.session.commit()
        third = add_response(survey, DAY, district=1)
        with pytest.raises(Refusal) as caught:
            accept_submission(survey, third, None)
        assert caught.value.reason == "quota_full"
        _db.session.rollback()
        other_district = add_response(survey, DAY, district=2)
        accept_submission(survey, other_district, None)
        _db.session.rollback()


def test_viewer_cannot_touch_fieldwork(client, as_role):
    as_role("viewer")
    assert client.get("/console/surveys/nanyang-dcm/invitations").status_code == 403
    assert client.get("/console/surveys/nanyang-dcm/invitations.csv").status_code == 403
    assert generate(client, 3).status_code == 403
    assert client.get("/console/surveys/nanyang-dcm/quotas").status_code == 403
    assert set_quotas(client, "district", {1: 10}).status_code == 403


def test_invitation_csv_never_starts_a_cell_with_a_formula(app, client, as_role, monkeypatch):
    from surveyapp.console import fieldwork

    as_role("evaluator")
    drawn = iter(["-starts-with-minus", "plain-token"])
    monkeypatch.setattr(fieldwork.secrets, "token_urlsafe", lambda _n: next(drawn))
    assert generate(client, 1).status_code == 302
    assert tokens(app) == ["plain-token"]
    with app.app_context():
        survey = default_survey()
        _db.session.add(Invitation(survey_id=survey.id, token="=1+1"))
        _db.session.commit()
    with client.get("/console/surveys/nanyang-dcm/invitations.csv") as response:
        rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["plain-token", "'=1+1"]


QUOTA_YAML = """
key: quota-default
title: {zh: 配额, en: Quotas}
questions:
  - key: qa
    type: demographic
    text: {zh: 甲, en: A}
    choices: [{code: 1, label: {zh: 一, en: one}}, {code: 2, label: {zh: 二, en: two}}]
  - key: qb
    type: demographic
    text: {zh: 乙, en: B}
    choices: [{code: 1, label: {zh: 一, en: one}}, {code: 2, label: {zh: 二, en: two}}]
"""


@pytest.mark.parametrize(
    ("analysis", "quota_on", "expected"),
    [
        ("", None, "qa"),  # no plan: the first question a quota can be set on
        ("analysis:\n  domains: [qb]\n", None, "qb"),  # the plan's comparison domain
        ("analysis:\n  domains: [qb]\n", "qa", "qa"),  # quotas already set win
    ],
)
def test_default_quota_question_follows_quotas_then_the_plan(app, analysis, quota_on, expected):
    from surveyapp.console.fieldwork import default_quota_question
    from surveyapp.definitions import load_text
    from surveyapp.definitions.store import save_definition

    with app.app_context():
        definition = load_text(QUOTA_YAML + analysis, "quota-default.yaml")
        version, _created = save_definition(definition, status="open")
        survey = version.survey
        if quota_on:
            _db.session.add(Quota(survey_id=survey.id, question=quota_on, code=1, target=10))
            _db.session.commit()
        assert default_quota_question(survey, definition).key == expected
