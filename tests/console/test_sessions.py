"""Sessions end on logout, password change, role change and deactivation: a copied cookie stops
working (the login id carries a per-user session version)."""

import pytest

from surveyapp.auth.users import set_active
from surveyapp.auth.users import set_password
from surveyapp.auth.users import set_role
from surveyapp.extensions import db as _db
from surveyapp.models import User
from tests.console.conftest import PASSWORD
from tests.console.conftest import csrf_token


def _logged_in(app, username):
    client = app.test_client()
    token = csrf_token(client)
    response = client.post(
        "/auth/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    return client


def _copy(app, client):
    """Another browser holding a copy of ``client``'s session cookie."""
    thief = app.test_client()
    cookie = client.get_cookie("session")
    thief.set_cookie("session", cookie.value)
    assert thief.get("/console/surveys").status_code == 200
    return thief


def test_a_copied_cookie_dies_with_logout(app, accounts):
    client = _logged_in(app, "evaluator1")
    thief = _copy(app, client)
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/console/surveys")})
    assert thief.get("/console/surveys").status_code == 302
    # Logging in again works, with a new session.
    assert _logged_in(app, "evaluator1").get("/console/surveys").status_code == 200


def _change(app, username, operation):
    with app.app_context():
        user = _db.session.scalar(_db.select(User).where(User.username == username))
        operation(user)
        _db.session.commit()


@pytest.mark.parametrize(
    "change",
    [
        lambda user: set_password(user, "a new and long passphrase"),
        lambda user: set_role(user, "viewer"),
        lambda user: (set_active(user, False), set_active(user, True)),
    ],
    ids=["password", "role", "deactivate-reactivate"],
)
def test_a_copied_cookie_dies_with_account_changes(app, accounts, change):
    client = _logged_in(app, "evaluator1")
    thief = _copy(app, client)
    _change(app, "evaluator1", change)
    assert thief.get("/console/surveys").status_code == 302
    assert client.get("/console/surveys").status_code == 302


def test_role_change_from_the_console_ends_the_sessions(app, accounts, as_role):
    victim = _logged_in(app, "viewer1")
    admin = as_role("admin")
    response = admin.post(
        f"/console/users/{accounts['viewer'].id}/role",
        data={"role": "evaluator", "csrf_token": csrf_token(admin, "/console/users")},
    )
    assert response.status_code == 302
    assert victim.get("/console/surveys").status_code == 302
