"""The four-eyes rule for deleting responses."""

import re

from sqlalchemy import func
from sqlalchemy import select

from surveyapp.models import Answer
from surveyapp.models import AuditEntry
from surveyapp.models import DeletionRequest
from surveyapp.models import Response
from surveyapp.models import ResponseFlag
from tests.conftest import login_as

from .conftest import answer_rows
from .conftest import flag
from .conftest import in_app
from .conftest import store_response

BASE = "/console/surveys/nanyang-dcm"


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def flashes(response):
    return re.findall(r'c-flash--\w+">([^<]*)', response.get_data(as_text=True))


def test_request_by_filter_then_another_admin_approves(app, client, staff):
    app.config["WTF_CSRF_ENABLED"] = False
    with in_app(app):
        tests = [
            store_response(answer_rows(sat=(5,) * 7), channel="test", client=f"t{i}")
            for i in range(3)
        ]
        for response in tests:
            flag(response)
        kept = store_response(channel="wechat").id
        test_ids = sorted(r.id for r in tests)

    login_as(client, staff["admin"])

    client.get("/console/surveys?lang=en")  # messages in English from here on
    listing = client.get(f"{BASE}/responses", query_string={"channel": "test"}).get_data(
        as_text=True
    )
    assert f'action="{BASE}/deletions/new"' in listing and 'value="test"' in listing
    made = client.post(
        f"{BASE}/deletions/new", data={"channel": "test", "reason": "test batch before launch"}
    )
    assert made.status_code == 303
    with in_app(app) as db:
        request = db.session.scalars(select(DeletionRequest)).one()
        assert request.response_ids == test_ids and request.status == "pending"
        assert count(db, Response) == 4  # nothing deleted yet
        request_id = request.id

    page = client.get(made.headers["Location"]).get_data(as_text=True)
    assert "test batch before launch" in page
    assert ", ".join(map(str, test_ids)) in page
    decide = f"{BASE}/deletions/{request_id}/decide"
    own = client.post(decide, data={"decision": "approve"}, follow_redirects=True)
    assert any("another administrator" in m for m in flashes(own))
    with in_app(app) as db:
        assert db.session.get(DeletionRequest, request_id).status == "pending"
        assert count(db, Response) == 4

    login_as(client, staff["admin2"])

    client.get("/console/surveys?lang=en")  # messages in English from here on
    page = client.get(f"{BASE}/deletions/{request_id}").get_data(as_text=True)
    assert 'id="request-count">3<' in page
    assert client.post(decide, data={"decision": "approve"}).status_code == 303
    with in_app(app) as db:
        assert db.session.scalars(select(Response.id)).all() == [kept]
        assert (
            db.session.scalar(
                select(func.count()).select_from(Answer).where(Answer.response_id.in_(test_ids))
            )
            == 0
        )
        assert count(db, ResponseFlag) == 0
        decided = db.session.get(DeletionRequest, request_id)
        assert (decided.status, decided.decided_by_id) == ("approved", staff["admin2"].id)
        actions = db.session.execute(
            select(AuditEntry.action, AuditEntry.username).order_by(AuditEntry.id)
        ).all()
    assert [a for a in actions if a[0].startswith("deletion.")] == [
        ("deletion.request", staff["admin"].username),
        ("deletion.approve", staff["admin2"].username),
    ]
    again = client.post(decide, data={"decision": "reject"}, follow_redirects=True)
    assert any("already been decided" in m for m in flashes(again))


def test_request_by_ids_and_rejection_deletes_nothing(app, client, staff):
    app.config["WTF_CSRF_ENABLED"] = False
    with in_app(app):
        rows = [store_response(client=f"r{i}").id for i in range(4)]
    login_as(client, staff["admin"])
    client.get("/console/surveys?lang=en")  # messages in English from here on
    bad = client.post(f"{BASE}/deletions/new", data={"ids": "1, x", "reason": "r"})
    assert bad.status_code == 422 and "Not a response id" in bad.get_data(as_text=True)
    assert (
        client.post(f"{BASE}/deletions/new", data={"ids": "999999", "reason": "r"}).status_code
        == 422
    )
    assert (
        client.post(f"{BASE}/deletions/new", data={"ids": str(rows[0]), "reason": " "}).status_code
        == 422
    )
    # Neither ids nor a filter: refused, never "everything".
    assert client.post(f"{BASE}/deletions/new", data={"reason": "all of them"}).status_code == 422
    with in_app(app) as db:
        assert count(db, DeletionRequest) == 0

    ids = f"{rows[0]}-{rows[1]}"
    assert (
        client.post(f"{BASE}/deletions/new", data={"ids": ids, "reason": "duplicates"}).status_code
        == 303
    )
    with in_app(app) as db:
        request = db.session.scalars(select(DeletionRequest)).one()
        assert request.response_ids == rows[:2]
        request_id = request.id
    login_as(client, staff["admin2"])
    client.get("/console/surveys?lang=en")  # messages in English from here on
    client.post(
        f"{BASE}/deletions/{request_id}/decide", data={"decision": "reject", "note": "keep them"}
    )
    with in_app(app) as db:
        assert db.session.get(DeletionRequest, request_id).status == "rejected"
        assert count(db, Response) == 4
        last = db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc()).limit(1))
    assert last == "deletion.reject"


def test_evaluators_cannot_request_or_approve(app, client, staff):
    app.config["WTF_CSRF_ENABLED"] = False
    with in_app(app):
        store_response()
    login_as(client, staff["evaluator"])
    assert client.get(f"{BASE}/deletions").status_code == 403
    assert client.post(f"{BASE}/deletions/new", data={"ids": "1", "reason": "x"}).status_code == 403
    with in_app(app) as db:
        assert count(db, DeletionRequest) == 0


def test_an_admin_cannot_approve_their_own_request_with_an_account_they_made(app, client, staff):
    """Four eyes means two people: a sock-puppet admin, or one promoted after the request or by
    the requester, does not count; an admin of before the request made by someone else does."""
    from surveyapp.auth.users import create_user
    from surveyapp.auth.users import set_role
    from surveyapp.models import User

    password = "an entirely different passphrase"
    app.config["WTF_CSRF_ENABLED"] = False
    with in_app(app) as db:
        requester = db.session.get(User, staff["admin"].id)
        create_user("sock", "admin", password, actor=requester)
        promoted_by_requester = create_user("minion", "viewer", password)
        set_role(promoted_by_requester, "admin", actor=requester)
        ids = [store_response(channel="test", client=f"s{i}").id for i in range(2)]
    login_as(client, staff["admin"])
    made = client.post(
        f"{BASE}/deletions/new", data={"ids": ",".join(map(str, ids)), "reason": "x"}
    )
    assert made.status_code == 303
    with in_app(app) as db:
        request_id = db.session.scalars(select(DeletionRequest.id)).one()
        late = create_user("late", "viewer", password)
        set_role(late, "admin", actor=db.session.get(User, staff["admin2"].id))
        accounts = {u.username: u.get_id() for u in db.session.scalars(select(User))}
    decide = f"{BASE}/deletions/{request_id}/decide"
    for name in ("sock", "minion", "late"):
        with client.session_transaction() as session:
            session["_user_id"] = accounts[name]
        client.get("/console/surveys?lang=en")
        refused = client.post(decide, data={"decision": "approve"}, follow_redirects=True)
        assert any("cannot count" in m for m in flashes(refused)), name
        with in_app(app) as db:
            assert db.session.get(DeletionRequest, request_id).status == "pending"
            assert count(db, Response) == 2
    login_as(client, staff["admin2"])
    assert client.post(decide, data={"decision": "approve"}).status_code == 303
    with in_app(app) as db:
        assert count(db, Response) == 0
