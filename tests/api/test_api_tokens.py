"""API tokens: listed and revoked from the CLI, expiring, revoked on deactivation or role change."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from surveyapp.auth.users import set_active
from surveyapp.auth.users import set_role
from surveyapp.extensions import db as _db
from surveyapp.models import ApiToken
from surveyapp.models import User
from surveyapp.models._types import utcnow


def _token(runner, name, *extra):
    result = runner.invoke(args=["users", "token", name, "--label", "tests", *extra])
    assert result.exit_code == 0, result.output
    return result.stdout.strip().splitlines()[0]


def _status(client, token):
    with client.get("/api/v1/surveys", headers={"Authorization": f"Bearer {token}"}) as response:
        return response.status_code


def _token_ids(app):
    with app.app_context():
        return _db.session.scalars(select(ApiToken.id).order_by(ApiToken.id)).all()


def test_list_and_revoke_from_the_cli(app, client, runner, accounts):
    first = _token(runner, "viewer1")
    second = _token(runner, "viewer1", "--days", "7")
    ids = _token_ids(app)
    listing = runner.invoke(args=["users", "tokens", "viewer1"])
    assert listing.exit_code == 0
    assert all(str(i) in listing.output for i in ids) and listing.output.count("active") == 2
    assert first not in listing.output and second not in listing.output
    revoked = runner.invoke(args=["users", "token-revoke", str(ids[0])])
    assert revoked.exit_code == 0, revoked.output
    assert _status(client, first) == 401 and _status(client, second) == 200
    assert "revoked" in runner.invoke(args=["users", "tokens", "viewer1"]).output
    assert runner.invoke(args=["users", "token-revoke", "99999"]).exit_code != 0
    with app.app_context():
        rows = _db.session.scalars(select(ApiToken).order_by(ApiToken.id)).all()
        days = [round((r.expires_at - r.created_at) / timedelta(days=1)) for r in rows]
    assert days == [app.config["API_TOKEN_DAYS"], 7]


def test_an_expired_token_is_refused(app, client, runner, accounts):
    token = _token(runner, "viewer1")
    assert _status(client, token) == 200
    with app.app_context():
        _db.session.scalars(select(ApiToken)).one().expires_at = utcnow() - timedelta(seconds=1)
        _db.session.commit()
    assert _status(client, token) == 401
    assert "expired" in runner.invoke(args=["users", "tokens", "viewer1"]).output


@pytest.mark.parametrize(
    "change",
    [lambda user: set_role(user, "evaluator"), lambda user: set_active(user, False)],
    ids=["role", "deactivate"],
)
def test_tokens_are_revoked_on_role_change_and_deactivation(app, client, runner, accounts, change):
    token = _token(runner, "viewer1")
    with app.app_context():
        user = _db.session.scalar(select(User).where(User.username == "viewer1"))
        change(user)
        _db.session.commit()
        set_active(user, True)
        _db.session.commit()
    assert _status(client, token) == 401
