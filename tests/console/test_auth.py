"""Login, logout, wrong passwords, rate limits, open redirects and cookie flags."""

import pytest

from surveyapp.extensions import db as _db
from tests.conftest import fresh_database
from tests.conftest import make_app
from tests.console.conftest import PASSWORD
from tests.console.conftest import audit_actions
from tests.console.conftest import csrf_token


def post_login(client, username, password, next_=None, **kwargs):
    data = {"username": username, "password": password, "csrf_token": csrf_token(client)}
    if next_ is not None:
        data["next"] = next_
    return client.post("/auth/login", data=data, **kwargs)


def test_anonymous_is_sent_to_login_with_next(client):
    response = client.get("/console/surveys")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")
    assert "%2Fconsole%2Fsurveys" in response.headers["Location"]


def test_login_message_is_chinese_by_default_and_english_on_request(client):
    page = client.get("/console/surveys", follow_redirects=True).get_data(as_text=True)
    assert "请登录后使用控制台" in page
    client.get("/auth/login?lang=en")
    page = client.get("/console/surveys", follow_redirects=True).get_data(as_text=True)
    assert "Please log in to use the console." in page


def test_login_then_logout(app, client, accounts):
    response = post_login(client, "evaluator1", PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/console/surveys"
    page = client.get("/console/surveys").get_data(as_text=True)
    assert "evaluator1" in page
    response = client.post(
        "/auth/logout", data={"csrf_token": csrf_token(client, "/console/surveys")}
    )
    assert response.headers["Location"] == "/auth/login"
    assert client.get("/console/surveys").status_code == 302
    actions = [(e.action, e.username) for e in audit_actions(app)]
    assert ("auth.login", "evaluator1") in actions
    assert ("auth.logout", "evaluator1") in actions


def test_logout_needs_post(client, accounts):
    post_login(client, "viewer1", PASSWORD)
    assert client.get("/auth/logout").status_code == 405
    assert client.get("/console/surveys").status_code == 200


def test_wrong_password_is_refused_with_a_message_and_audited(app, client, accounts):
    client.get("/auth/login?lang=en")
    response = post_login(client, "admin1", "not the password")
    assert response.status_code == 200
    assert "Wrong username or password." in response.get_data(as_text=True)
    assert client.get("/console/surveys").status_code == 302
    response = post_login(client, "nobody", "whatever")
    assert "Wrong username or password." in response.get_data(as_text=True)
    failed = audit_actions(app, "auth.login_failed")
    assert [e.detail["attempted"] for e in failed] == ["admin1", "nobody"]
    assert [e.username for e in failed] == ["admin1", "nobody"]
    assert all(e.user_id is None for e in failed)


def test_deactivated_user_cannot_log_in(app, client, accounts):
    from surveyapp.models import User

    with app.app_context():
        _db.session.get(User, accounts["viewer"].id).active = False
        _db.session.commit()
    response = post_login(client, "viewer1", PASSWORD)
    assert response.status_code == 200
    assert client.get("/console/surveys").status_code == 302


def test_missing_fields_get_a_message(client, accounts):
    client.get("/auth/login?lang=en")
    response = post_login(client, "", "")
    assert "Please enter your username and password." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "target",
    [
        "//evil.com",
        "https://evil.com",
        "/\\evil.com",
        "\\\\evil.com",
        "http:/evil.com",
        "/\t/evil.com",
        "//evil.com/console",
        "javascript:alert(1)",
        "evil.com",
    ],
)
def test_next_never_leaves_the_site(client, accounts, target):
    response = post_login(client, "viewer1", PASSWORD, next_=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/console/surveys"


def test_next_on_this_site_is_followed(client, accounts):
    response = post_login(client, "viewer1", PASSWORD, next_="/console/surveys/nanyang-dcm?lang=en")
    assert response.headers["Location"] == "/console/surveys/nanyang-dcm?lang=en"


def test_next_from_the_query_string_is_carried_into_the_form(client):
    page = client.get("/auth/login?next=/console/users").get_data(as_text=True)
    assert 'value="/console/users"' in page
    page = client.get("/auth/login?next=//evil.com").get_data(as_text=True)
    assert 'id="next" name="next" type="hidden" value=""' in page


@pytest.fixture
def limited_app(request, tmp_path):
    app = make_app(
        fresh_database(request, "sqlite", tmp_path, "limited"),
        RATELIMIT_ENABLED=True,
        RATELIMIT_LOGIN="3 per minute",
    )
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


def test_login_attempts_are_rate_limited_per_address(limited_app):
    client = limited_app.test_client()
    client.get("/auth/login?lang=en")
    for _ in range(3):
        assert post_login(client, "someone", "wrong password").status_code == 200
    response = post_login(client, "someone-else", "wrong password")
    assert response.status_code == 429
    assert "Too many login attempts" in response.get_data(as_text=True)


def test_guessing_one_account_backs_off_but_never_locks_its_owner_out(limited_app):
    """Wrong passwords from many addresses: the account cools down for unknown browsers (the
    password is not even checked), while its owner's browser still gets in."""
    from tests.conftest import create_user

    app = limited_app
    with app.app_context():
        create_user("admin1", "admin", PASSWORD)
    owner = app.test_client()
    owner.get("/auth/login?lang=en")
    assert post_login(owner, "admin1", PASSWORD).status_code == 302
    owner.post("/auth/logout", data={"csrf_token": csrf_token(owner, "/console/surveys")})
    for n in range(10):
        attacker = app.test_client()
        post_login(attacker, "admin1", "wrong", environ_base={"REMOTE_ADDR": f"10.0.0.{n}"})
    # The right password from an unknown browser is not checked during the cool-down (no 429).
    stranger = app.test_client()
    stranger.get("/auth/login?lang=en", environ_base={"REMOTE_ADDR": "10.0.1.1"})
    response = post_login(stranger, "admin1", PASSWORD, environ_base={"REMOTE_ADDR": "10.0.1.1"})
    assert response.status_code == 200 and "Please wait" in response.get_data(as_text=True)
    # The owner's browser logs in at once, with the right password, and resets the count.
    response = post_login(owner, "admin1", PASSWORD)
    assert response.status_code == 302
    assert owner.get("/console/surveys").status_code == 200
    response = post_login(stranger, "admin1", PASSWORD, environ_base={"REMOTE_ADDR": "10.0.1.1"})
    assert response.status_code == 302
    failed = audit_actions(app, "auth.login_failed")
    assert len(failed) == 11 and failed[-1].detail.get("cooling_down", 0) > 0


def test_the_cool_down_doubles_and_ends(app, accounts):
    from datetime import timedelta

    from surveyapp.auth.backoff import cool_down
    from surveyapp.models import User
    from surveyapp.models._types import utcnow

    with app.app_context():
        user = _db.session.get(User, accounts["admin"].id)
        now = utcnow()
        user.last_failed_login_at = now
        waits = []
        for failures in (5, 6, 7, 8, 30):
            user.failed_logins = failures
            waits.append(cool_down(user, now))
        assert waits == [2, 4, 8, 16, 900]
        assert cool_down(user, now + timedelta(seconds=901)) == 0
        user.failed_logins = 4
        assert cool_down(user, now) == 0


def test_session_cookie_flags(client, accounts):
    response = post_login(client, "viewer1", PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


@pytest.mark.parametrize("setting", [{"PREFERRED_URL_SCHEME": "https"}, {"SECURE_COOKIES": True}])
def test_cookies_are_secure_behind_https(request, tmp_path, setting):
    app = make_app(fresh_database(request, "sqlite", tmp_path, "https"), **setting)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    with app.app_context():
        _db.engine.dispose()
