"""The console keeps what an approver writes and speaks one language: the note on a deletion is
stored and shown; flag reasons (stored in English) are shown in the console's language."""

from sqlalchemy import select

from surveyapp import message_templates
from surveyapp.dataops import reasons
from surveyapp.models import AuditEntry
from surveyapp.models import DeletionRequest
from surveyapp.models import ResponseFlag
from tests.conftest import login_as

from .conftest import answer_rows
from .conftest import flag
from .conftest import in_app
from .conftest import store_response

BASE = "/console/surveys/nanyang-dcm"


def test_the_approvers_note_is_stored_and_shown(app, client, staff):
    app.config["WTF_CSRF_ENABLED"] = False
    with in_app(app):
        ids = [store_response(client=f"c{i}").id for i in range(2)]
    login_as(client, staff["admin"])
    made = client.post(f"{BASE}/deletions/new", data={"ids": str(ids[0]), "reason": "test row"})
    assert made.status_code == 303
    with in_app(app) as db:
        request_id = db.session.scalars(select(DeletionRequest.id)).one()
    login_as(client, staff["admin2"])
    decided = client.post(
        f"{BASE}/deletions/{request_id}/decide",
        data={"decision": "approve", "note": "checked with the field team"},
    )
    assert decided.status_code == 303
    with in_app(app) as db:
        assert db.session.get(DeletionRequest, request_id).decision_note == (
            "checked with the field team"
        )
        detail = db.session.scalars(
            select(AuditEntry.detail).where(AuditEntry.action == "deletion.approve")
        ).one()
    assert detail["note"] == "checked with the field team"
    page = client.get(f"{BASE}/deletions/{request_id}").get_data(as_text=True)
    assert 'id="decision-note">checked with the field team<' in page


def test_flag_reasons_are_shown_in_the_console_language(app, client, staff):
    with in_app(app):
        first = store_response(answer_rows(sat=(4,) * 7), client="same")
        again = store_response(answer_rows(sat=(4,) * 7), client="same")
        flag(first)
        flag(again)
        found, earlier = again.id, first.id
    with in_app(app) as db:
        stored = db.session.scalars(
            select(ResponseFlag.reason).where(ResponseFlag.response_id == found)
        ).all()
    assert any(r.startswith("same client and same answers as response") for r in stored)
    login_as(client, staff["evaluator"])
    chinese = client.get(f"{BASE}/responses/{found}?lang=zh").get_data(as_text=True)
    assert f"与答卷 {earlier} 来自同一客户端且答案相同" in chinese
    assert "的每个小项都选了代码 4" in chinese  # straight-lining, translated too
    assert "same client" not in chinese and "every item of" not in chinese
    english = client.get(f"{BASE}/responses/{found}?lang=en").get_data(as_text=True)
    assert "same client and same answers as response" in english


def test_every_reason_template_reads_back():
    examples = {
        reasons.SPEEDER: {"duration": 20.0, "median": 300.0, "n": 25},
        reasons.STRAIGHTLINING: {"key": "grid_a", "code": 5},
        reasons.DUPLICATE: {"earlier": 7},
        reasons.REPEAT: {},
        reasons.TOKEN_REUSE: {"invitation": 3},
        reasons.TOKEN_REUSE_BY: {"invitation": 3, "first": 9},
    }
    assert set(examples) == set(reasons.TEMPLATES)
    for template, params in examples.items():
        pattern, _types = message_templates.pattern(template)
        assert pattern.fullmatch(reasons.reason(template, **params)), template
