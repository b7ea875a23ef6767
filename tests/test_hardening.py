"""Hardening across the whole application, walking ``app.url_map``:

- security headers on every page, including error pages and static files;
- CSRF: every POST without a token is refused and changes nothing;
- open-text answers are shown escaped wherever they appear;
- no redirect goes to a target taken from the request (no open redirects);
- the audit log only ever grows, whatever any route is sent (every method, junk payloads).
"""

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func
from sqlalchemy import select

from surveyapp.extensions import db
from surveyapp.models import AuditEntry
from surveyapp.models import Response
from tests.conftest import BACKENDS
from tests.conftest import login_as
from tests.test_access_map import build_world
from tests.test_access_map import is_public
from tests.test_access_map import routes
from tests.test_access_map import url_for_rule

PAYLOADS = ("<script>alert(1)</script>", "<b>x</b>")
EVIL = "https://evil.example/steal"
REDIRECT_PARAMS = ("next", "url", "return_to", "redirect", "continue", "target", "back")


@pytest.fixture(params=BACKENDS)
def world(request, tmp_path):
    """The app with CSRF protection on, as in production."""
    made = build_world(request, request.param, tmp_path)
    yield made
    with made.app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(params=BACKENDS)
def open_world(request, tmp_path):
    """The app with CSRF off, so junk payloads reach the views (errors answered, not raised)."""
    made = build_world(
        request, request.param, tmp_path, WTF_CSRF_ENABLED=False, PROPAGATE_EXCEPTIONS=False
    )
    yield made
    with made.app.app_context():
        db.session.remove()
        db.engine.dispose()


def check_headers(response, where):
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    script_src = next(
        (d for d in csp.split(";") if d.strip().startswith(("script-src", "default-src"))), ""
    )
    assert "script-src 'self'" in csp, where
    assert "unsafe-inline" not in script_src and "unsafe-eval" not in csp, where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert "frame-ancestors 'none'" in csp or headers.get("X-Frame-Options") in (
        "DENY",
        "SAMEORIGIN",
    ), where
    assert headers.get("Referrer-Policy"), where


def test_security_headers_on_every_page_errors_and_static(world):
    anonymous = world.app.test_client()
    admin = world.app.test_client()
    login_as(admin, world.users["admin"])
    seen = 0
    for client in (anonymous, admin):
        for rule, method in routes(world.app):
            if method != "GET":
                continue
            url = url_for_rule(world, rule)
            with client.get(url) as response:
                check_headers(response, f"GET {url} -> {response.status_code}")
                seen += 1
        for url, statuses in (
            ("/no/such/page", {404}),
            ("/console/surveys/nope/responses", {302, 404}),
            ("/static/css/console.css", {200}),
            ("/auth/logout", {405}),
        ):
            with client.get(url) as response:
                assert response.status_code in statuses, url
                check_headers(response, url)
    assert seen > 20


def test_every_post_without_csrf_token_is_refused(world):
    client = world.app.test_client()
    login_as(client, world.users["admin"])
    with world.app.app_context():
        before = (
            db.session.scalar(select(func.count()).select_from(AuditEntry)),
            db.session.scalar(select(func.count()).select_from(Response)),
        )
        db.session.remove()
    accepted = []
    for rule, method in routes(world.app):
        if method not in ("POST", "PUT", "PATCH", "DELETE") or rule.rule.startswith("/api/"):
            continue
        data = {
            "reason": "x",
            "status": "excluded",
            "decision": "approve",
            "ids": "1-9",
            "role": "viewer",
            "username": "mallory",
            "password": "pw-pw-pw-pw-pw",
        }
        with client.open(url_for_rule(world, rule), method=method, data=data) as response:
            if response.status_code not in (400, 403):
                accepted.append((method, rule.rule, response.status_code))
    assert accepted == []
    with world.app.app_context():
        after = (
            db.session.scalar(select(func.count()).select_from(AuditEntry)),
            db.session.scalar(select(func.count()).select_from(Response)),
        )
    assert after == before


def test_open_text_answers_are_escaped_everywhere(open_world):
    world = open_world
    client = world.app.test_client()
    login_as(client, world.users["admin"])
    key, rid = world.key, world.ids["response_id"]
    # The same payloads as a reason, so they reach the audit log and deletion pages as well.
    client.post(
        f"/console/surveys/{key}/responses/{rid}/status",
        data={"status": "excluded", "reason": " ".join(PAYLOADS)},
    )
    client.post(
        f"/console/surveys/{key}/deletions/new",
        data={"ids": str(rid), "reason": " ".join(PAYLOADS)},
    )
    pages = 0
    for rule, method in routes(world.app):
        if method != "GET" or is_public(rule):
            continue
        with client.get(url_for_rule(world, rule)) as response:
            if response.mimetype != "text/html":
                continue
            body = response.get_data(as_text=True)
            pages += 1
            for payload in PAYLOADS:
                assert payload not in body, rule.rule
    for url in (
        f"/console/surveys/{key}/responses/{rid}",
        "/console/audit",
        f"/console/surveys/{key}/deletions",
    ):
        body = client.get(url).get_data(as_text=True)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body or "\\u003cscript" in body, url
    assert pages > 10


def _external(location):
    parts = urlsplit(location)
    return bool(parts.netloc) and parts.netloc != "localhost" or location.startswith("//")


def test_no_redirect_target_is_taken_from_the_request(world):
    evil_args = {name: EVIL for name in REDIRECT_PARAMS}
    evil_args["next"] = "//evil.example/x"
    offenders = []
    for who in (None, "admin"):
        client = world.app.test_client()
        if who:
            login_as(client, world.users[who])
        for rule, method in routes(world.app):
            url = url_for_rule(world, rule)
            data = {name: EVIL for name in REDIRECT_PARAMS}
            with client.open(
                url, method=method, query_string=evil_args, data=data, headers={"Referer": EVIL}
            ) as response:
                location = response.headers.get("Location", "")
                # Local redirects may carry the query (login's ?next=); the target stays here.
                if location and _external(location):
                    offenders.append((who, method, rule.rule, location))
    # Logging in for real with a hostile "next" still lands inside the console.
    client = world.app.test_client()
    with client.get("/auth/login") as page:
        token = re.search(
            r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)
        )
    assert token, "the login form carries a CSRF token"
    with client.post(
        "/auth/login",
        query_string={"next": "https://evil.example/"},
        data={
            "csrf_token": token.group(1),
            "username": world.users["admin"].username,
            "password": "correct horse battery staple",
            "next": "//evil.example/",
        },
    ) as response:
        assert response.status_code in (302, 303)
        location = response.headers["Location"]
        assert not _external(location) and "evil.example" not in location, location
    assert offenders == []


def _audit_rows():
    return [
        tuple(row)
        for row in db.session.execute(select(AuditEntry.__table__).order_by(AuditEntry.id)).all()
    ]


def test_no_route_can_change_or_delete_audit_entries(open_world):
    world = open_world
    from surveyapp import audit

    with world.app.app_context():
        for i in range(5):
            audit.record("seed.entry", n=i, username="seed")
        db.session.commit()
        rows = _audit_rows()
        db.session.remove()
    junk_forms = (
        {},
        {
            "reason": "junk",
            "status": "excluded",
            "decision": "approve",
            "note": "x",
            "ids": "1-100000",
            "id": "1",
            "entry_id": "1",
            "action": "delete",
            "role": "viewer",
            "active": "0",
            "flag": "speeder",
            "username": "x",
            "password": "y" * 12,
            "count": "3",
            "requires_token": "y",
            "channel": "test",
        },
        {"reason": "\x00" * 3, "status": "valid", "decision": "reject", "ids": "-1", "page": "-5"},
    )
    errors = []
    for who in ("admin2", "admin"):
        client = world.app.test_client()
        login_as(client, world.users[who])
        for rule, method in routes(world.app):
            url = url_for_rule(world, rule)
            payloads = [{"data": form} for form in junk_forms] + [
                {"json": {"id": 1, "action": "delete", "detail": {}}}
            ]
            for payload in payloads:
                with client.open(
                    url, method=method, query_string={"id": "1", "page": "0"}, **payload
                ) as response:
                    response.get_data()
                    if response.status_code >= 500:
                        errors.append((method, rule.rule, response.status_code))
                with world.app.app_context():
                    now = _audit_rows()
                    db.session.remove()
                assert now[: len(rows)] == rows, (
                    f"{method} {rule.rule} changed or removed audit entries"
                )
                assert len(now) >= len(rows)
                rows = now
    assert errors == [], "junk input must get a clear answer, never a server error"


def test_console_pages_and_exports_are_never_cached(world):
    client = world.app.test_client()
    login_as(client, world.users["admin"])
    checked = []
    for rule, method in routes(world.app):
        if method != "GET" or is_public(rule) or rule.endpoint in ("static",):
            continue
        with client.get(url_for_rule(world, rule)) as response:
            if response.status_code != 200 or response.mimetype.startswith("image/"):
                continue
            assert response.headers.get("Cache-Control") == "no-store", rule.rule
            checked.append(rule.rule)
    assert any("export" in url for url in checked) and len(checked) > 10
    # The questionnaire itself may be cached by nobody in between either way; it is not marked.
    with client.get("/auth/login") as response:
        assert response.headers.get("Cache-Control") == "no-store"


def test_channel_tags_are_matched_whole(world):
    from surveyapp.channels import clean_channel
    from surveyapp.channels import is_channel

    assert is_channel("poster") and is_channel("hotline-interview")
    for bad in ("poster\n", "poster\r\n", "", "-x", "Poster", "a" * 33, None, "ch x"):
        assert not is_channel(bad), repr(bad)
    assert clean_channel(" Poster\n") == "poster" and clean_channel("x\ny") == "direct"
    client = world.app.test_client()
    login_as(client, world.users["admin"])
    base = f"/console/surveys/{world.key}"
    for url in (f"{base}/qr.png", f"{base}/qr.svg", f"{base}/poster"):
        with client.get(url, query_string={"ch": "poster\n", "download": "1"}) as response:
            assert response.status_code in (400, 404), url
    with client.get(f"{base}/distribution", query_string={"ch": "poster\n"}) as response:
        assert response.status_code < 500
        assert f"/s/{world.key}?ch=poster%0A" not in response.get_data(as_text=True)


def test_several_workers_refuse_per_process_rate_limits(monkeypatch):
    import runpy
    from pathlib import Path
    from types import SimpleNamespace

    from flask import Flask

    from surveyapp.config import ConfigurationError
    from surveyapp.serving import WORKERS_VARIABLE
    from surveyapp.serving import check_rate_limit_storage

    app = Flask(__name__)
    app.config.update(RATELIMIT_STORAGE_URI="memory://", RATELIMIT_ENABLED=True)
    check_rate_limit_storage(app, 1)
    with pytest.raises(ConfigurationError, match="SURVEYAPP_RATELIMIT_STORAGE_URI"):
        check_rate_limit_storage(app, 3)
    app.config["RATELIMIT_STORAGE_URI"] = "redis://127.0.0.1:6379/0"
    check_rate_limit_storage(app, 3)
    # gunicorn.conf.py tells the workers how many there are.
    monkeypatch.delenv(WORKERS_VARIABLE, raising=False)
    settings = runpy.run_path(str(Path(__file__).parents[1] / "gunicorn.conf.py"))
    settings["on_starting"](SimpleNamespace(cfg=SimpleNamespace(workers=3)))
    import os

    assert os.environ[WORKERS_VARIABLE] == "3"
    assert settings["bind"].startswith("127.0.0.1:")
