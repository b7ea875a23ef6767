"""The ``flask users`` commands and the admin pages for users; every change is audited."""

import pytest
from sqlalchemy import select

from surveyapp.extensions import db as _db
from surveyapp.models import User
from tests.console.conftest import audit_actions
from tests.console.conftest import csrf_token

GOOD = "a long enough password"


def user_named(app, name):
    with app.app_context():
        user = _db.session.scalar(select(User).where(User.username == name))
        if user is not None:
            _db.session.expunge(user)
        return user


def test_cli_create_with_password_from_stdin(app, runner):
    result = runner.invoke(
        args=["users", "create", "chief", "--role", "admin", "--password-stdin"], input=GOOD + "\n"
    )
    assert result.exit_code == 0, result.output
    user = user_named(app, "chief")
    assert user.role == "admin" and user.active
    assert user.password_hash.startswith("scrypt:")
    assert user.check_password(GOOD)
    entry = audit_actions(app, "user.create")[-1]
    assert entry.detail == {"target": "chief", "role": "admin", "via": "cli"}


def test_cli_create_prompts_twice(app, runner):
    result = runner.invoke(
        args=["users", "create", "field1", "--role", "evaluator"], input=f"{GOOD}\n{GOOD}\n"
    )
    assert result.exit_code == 0, result.output
    assert user_named(app, "field1").check_password(GOOD)


def test_cli_refuses_duplicate_name_bad_role_and_short_password(app, runner):
    args = ["users", "create", "chief", "--password-stdin"]
    assert runner.invoke(args=args, input=GOOD + "\n").exit_code == 0
    result = runner.invoke(args=args, input=GOOD + "\n")
    assert result.exit_code != 0
    assert "already taken" in result.output
    result = runner.invoke(
        args=["users", "create", "other", "--role", "boss", "--password-stdin"], input=GOOD + "\n"
    )
    assert result.exit_code != 0
    assert "boss" in result.output
    result = runner.invoke(args=["users", "create", "other", "--password-stdin"], input="short\n")
    assert result.exit_code != 0
    assert "at least 10 characters" in result.output
    assert user_named(app, "other") is None
    assert len(audit_actions(app, "user.create")) == 1


def test_cli_list_set_role_deactivate(app, runner):
    runner.invoke(
        args=["users", "create", "chief", "--role", "admin", "--password-stdin"], input=GOOD + "\n"
    )
    runner.invoke(
        args=["users", "create", "ann", "--role", "viewer", "--password-stdin"], input=GOOD + "\n"
    )
    assert runner.invoke(args=["users", "set-role", "ann", "evaluator"]).exit_code == 0
    assert runner.invoke(args=["users", "deactivate", "ann"]).exit_code == 0
    listing = runner.invoke(args=["users", "list"]).output
    assert "ann" in listing and "evaluator" in listing and "inactive" in listing
    ann = user_named(app, "ann")
    assert (ann.role, ann.active) == ("evaluator", False)
    actions = [(e.action, e.detail.get("target")) for e in audit_actions(app)]
    assert ("user.role", "ann") in actions and ("user.deactivate", "ann") in actions
    result = runner.invoke(args=["users", "deactivate", "nobody"])
    assert result.exit_code != 0 and "no user named" in result.output


def test_cli_set_password(app, runner):
    runner.invoke(args=["users", "create", "ann", "--password-stdin"], input=GOOD + "\n")
    new = "another long password"
    result = runner.invoke(
        args=["users", "set-password", "ann", "--password-stdin"], input=new + "\n"
    )
    assert result.exit_code == 0, result.output
    ann = user_named(app, "ann")
    assert ann.check_password(new) and not ann.check_password(GOOD)
    result = runner.invoke(
        args=["users", "set-password", "ann", "--password-stdin"], input="short\n"
    )
    assert result.exit_code != 0
    assert user_named(app, "ann").check_password(new)
    entries = audit_actions(app, "user.password")
    assert len(entries) == 1 and entries[0].detail == {"target": "ann", "via": "cli"}
    assert new not in str(entries[0].detail)


def test_cli_keeps_the_last_admin(app, runner):
    runner.invoke(
        args=["users", "create", "chief", "--role", "admin", "--password-stdin"], input=GOOD + "\n"
    )
    result = runner.invoke(args=["users", "set-role", "chief", "viewer"])
    assert result.exit_code != 0 and "last active administrator" in result.output
    assert user_named(app, "chief").role == "admin"


def test_admin_creates_changes_and_deactivates_users(app, client, as_role):
    as_role("admin")
    client.get("/console/users?lang=en")
    token = csrf_token(client, "/console/users")
    response = client.post(
        "/console/users/new",
        data={
            "csrf_token": token,
            "username": "li.wei",
            "role": "evaluator",
            "password": GOOD,
            "confirm": GOOD,
        },
    )
    assert response.status_code == 302
    li = user_named(app, "li.wei")
    assert li.role == "evaluator" and li.check_password(GOOD)
    assert "li.wei" in client.get("/console/users").get_data(as_text=True)

    client.post(f"/console/users/{li.id}/role", data={"csrf_token": token, "role": "viewer"})
    assert user_named(app, "li.wei").role == "viewer"
    client.post(f"/console/users/{li.id}/active", data={"csrf_token": token, "active": "0"})
    assert user_named(app, "li.wei").active is False
    client.post(f"/console/users/{li.id}/active", data={"csrf_token": token, "active": "1"})
    assert user_named(app, "li.wei").active is True

    entries = [e for e in audit_actions(app) if e.action.startswith("user.")]
    assert [e.action for e in entries] == [
        "user.create",
        "user.role",
        "user.deactivate",
        "user.reactivate",
    ]
    assert all(e.username == "admin1" and e.detail["target"] == "li.wei" for e in entries)
    assert entries[1].detail["old"] == "evaluator" and entries[1].detail["new"] == "viewer"


def test_user_form_errors_are_shown_and_nothing_is_stored(app, client, as_role):
    as_role("admin")
    client.get("/console/users?lang=en")
    token = csrf_token(client, "/console/users")
    response = client.post(
        "/console/users/new",
        data={
            "csrf_token": token,
            "username": "zhang",
            "role": "viewer",
            "password": GOOD,
            "confirm": "different",
        },
    )
    assert response.status_code == 400
    assert "The two passwords differ." in response.get_data(as_text=True)
    response = client.post(
        "/console/users/new",
        data={
            "csrf_token": token,
            "username": "viewer1",
            "role": "viewer",
            "password": GOOD,
            "confirm": GOOD,
        },
    )
    assert response.status_code == 400
    assert "already taken" in response.get_data(as_text=True)
    response = client.post(
        "/console/users/new",
        data={
            "csrf_token": token,
            "username": "x y",
            "role": "viewer",
            "password": GOOD,
            "confirm": GOOD,
        },
    )
    assert response.status_code == 400
    assert user_named(app, "zhang") is None and user_named(app, "x y") is None
    assert audit_actions(app, "user.create") == []


def test_malformed_activation_request_changes_nothing(app, client, as_role, accounts):
    as_role("admin")
    token = csrf_token(client, "/console/users")
    url = f"/console/users/{accounts['viewer'].id}/active"
    assert client.post(url, data={"csrf_token": token, "active": "no"}).status_code == 400
    assert client.post(url, data={"active": "0"}).status_code == 400
    assert user_named(app, "viewer1").active is True


def test_admin_cannot_deactivate_themself(app, client, as_role, accounts):
    as_role("admin")
    token = csrf_token(client, "/console/users")
    client.post(
        f"/console/users/{accounts['admin'].id}/active", data={"csrf_token": token, "active": "0"}
    )
    assert user_named(app, "admin1").active is True


def test_only_admins_manage_users(client, as_role, accounts):
    for role in ("viewer", "evaluator"):
        as_role(role)
        assert client.get("/console/users").status_code == 403
        token = csrf_token(client, "/console/surveys")
        data = {
            "csrf_token": token,
            "username": "sneaky",
            "role": "admin",
            "password": GOOD,
            "confirm": GOOD,
        }
        assert client.post("/console/users/new", data=data).status_code == 403
        assert (
            client.post(
                f"/console/users/{accounts['viewer'].id}/role",
                data={"csrf_token": token, "role": "admin"},
            ).status_code
            == 403
        )
    with client.session_transaction() as session:
        session.clear()
    assert client.get("/console/users").status_code == 302


@pytest.mark.parametrize(
    "password, why",
    [
        ("password123", "most common"),
        ("Qwertyuiop", "most common"),
        ("1234567890", "most common"),
        ("my-alice-2026!", "username"),
        ("xxALICExx-long", "username"),
    ],
)
def test_common_passwords_and_ones_with_the_username_are_refused(app, runner, password, why):
    result = runner.invoke(
        args=["users", "create", "alice", "--password-stdin"], input=password + "\n"
    )
    assert result.exit_code != 0 and why in result.output
    from surveyapp.auth.users import UserError
    from surveyapp.auth.users import create_user
    from surveyapp.auth.users import set_password

    with app.app_context():
        with pytest.raises(UserError, match=why):
            create_user("alice", "viewer", password)
        user = create_user("bob", "viewer", "a long unusual passphrase")
        if why == "most common":
            with pytest.raises(UserError, match=why):
                set_password(user, password)
