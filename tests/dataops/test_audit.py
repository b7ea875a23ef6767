"""The audit log: browsing, exporting (itself audited) and the append-only guard."""

import csv
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy import update

from surveyapp import audit
from surveyapp.dataops.guard import AuditTampering
from surveyapp.models import AuditEntry
from surveyapp.models._types import utcnow
from tests.conftest import login_as

from .conftest import in_app


def seed(app, staff):
    from surveyapp.definitions.store import get_survey
    from surveyapp.models import User

    with in_app(app) as db:
        survey = get_survey("nanyang-dcm")
        admin = db.session.get(User, staff["admin"].id)
        evaluator = db.session.get(User, staff["evaluator"].id)
        audit.record(
            "response.exclude",
            survey_id=survey.id,
            response_id=7,
            user=evaluator,
            reason="快速作答",
        )
        audit.record(
            "response.include", survey_id=survey.id, response_id=7, user=evaluator, reason="checked"
        )
        audit.record("response.flagged_by_hand", survey_id=survey.id, username="=cmd|x")
        old = audit.record("user.create", user=admin, created="bob")
        old.at = utcnow() - timedelta(days=40)


def test_browse_filters_by_action_user_survey_and_date(app, client, staff):
    seed(app, staff)
    login_as(client, staff["admin"])

    def actions(**args):
        body = client.get("/console/audit", query_string=args).get_data(as_text=True)
        return {
            a
            for a in ("response.exclude", "response.include", "user.create")
            if f"<td>{a}</td>" in body
        }

    assert actions() == {"response.exclude", "response.include", "user.create"}
    assert actions(action="response") == {"response.exclude", "response.include"}
    assert actions(action="response.include") == {"response.include"}
    assert actions(user=staff["admin"].username) == {"user.create"}
    assert actions(survey="nanyang-dcm") == {"response.exclude", "response.include"}
    assert actions(date_from=(utcnow() - timedelta(days=1)).date().isoformat()) == {
        "response.exclude",
        "response.include",
    }
    assert client.get("/console/audit", query_string={"date_to": "soon"}).status_code == 200


def test_export_csv_with_bom_and_jsonl_and_the_export_is_audited(app, client, staff):
    seed(app, staff)
    login_as(client, staff["admin"])
    with client.get("/console/audit/export.csv", query_string={"action": "response"}) as response:
        assert response.status_code == 200
        assert "attachment" in response.headers["Content-Disposition"]
        raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["action"] for r in rows] == [
        "response.exclude",
        "response.include",
        "response.flagged_by_hand",
    ]
    assert json.loads(rows[0]["detail"]) == {"reason": "快速作答"}
    assert rows[2]["username"] == "'=cmd|x"  # no formula injection into spreadsheets
    with client.get("/console/audit/export.jsonl") as response:
        lines = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    assert [e["action"] for e in lines][
        -1
    ] == "audit.export"  # the CSV export, recorded before this one
    assert {"response.exclude", "user.create"} <= {e["action"] for e in lines}
    with in_app(app) as db:
        exports = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "audit.export")
        ).all()
        assert [e.detail["format"] for e in exports] == ["csv", "jsonl"]
        assert exports[0].username == staff["admin"].username
    assert client.get("/console/audit/export.xml").status_code == 404


def test_only_admins_see_the_log(app, client, staff):
    login_as(client, staff["evaluator"])
    assert client.get("/console/audit").status_code == 403
    assert client.get("/console/audit/export.csv").status_code == 403


def test_guard_refuses_changing_or_deleting_entries(app, db):
    entry = audit.record("survey.load", version=1)
    db.session.commit()
    entry.action = "something.else"
    with pytest.raises(AuditTampering):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEntry, entry.id))
    with pytest.raises(AuditTampering):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(AuditTampering):
        db.session.execute(update(AuditEntry).values(action="x"))
    db.session.rollback()
    with pytest.raises(AuditTampering):
        db.session.execute(delete(AuditEntry).where(AuditEntry.id == entry.id))
    db.session.rollback()
    assert db.session.scalars(select(AuditEntry.action)).all() == ["survey.load"]
    # Appending still works.
    audit.record("survey.load", version=2)
    db.session.commit()
    assert len(db.session.scalars(select(AuditEntry)).all()) == 2


def test_the_database_refuses_raw_sql_updates_and_deletes(app, db):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    audit.record("survey.load", version=1)
    db.session.commit()
    statements = [
        "UPDATE audit_log SET action = 'forged'",
        "DELETE FROM audit_log",
    ]
    if db.engine.dialect.name == "postgresql":
        statements.append("TRUNCATE audit_log")
    for statement in statements:
        # Straight to the database on a connection of its own, past the ORM's guard.
        with db.engine.connect() as connection:
            with pytest.raises(DBAPIError, match="append-only"):
                connection.execute(text(statement))
            connection.rollback()
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT action FROM audit_log")).scalars().all() == [
            "survey.load"
        ]
        connection.execute(
            text("INSERT INTO audit_log (at, action, detail) VALUES (:at, 'raw.insert', '{}')"),
            {"at": utcnow()},
        )
        connection.commit()
    assert db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all() == [
        "survey.load",
        "raw.insert",
    ]
