"""Every route of the application, discovered from ``app.url_map``, obeys the access rules.

- Public endpoints are an explicit allow-list: the questionnaire (``/`` and ``/s/...``),
  ``/healthz``, static files, login/logout and ``/api/v1`` (token auth, tested by its own suite).
- Every other endpoint must declare its role with ``access.role_required`` (which sets
  ``required_role`` on the view); an endpoint without one fails this test.
- Anonymous requests to them are sent to the login page (302) or refused (401), for every method.
- A viewer is refused (403) every evaluator or admin endpoint, for every method.

URL variables are filled from the names of their arguments (a real survey key, real ids), so
routes added later by any feature are covered without touching this file.
"""

from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from surveyapp.models import DeletionRequest
from tests.conftest import BACKENDS
from tests.conftest import create_user
from tests.conftest import fresh_database
from tests.conftest import login_as
from tests.conftest import make_app

PUBLIC_ENDPOINTS = {"static", "health.healthz", "public.landing", "auth.login", "auth.logout"}
PUBLIC_PREFIXES = ("/s/", "/api/v1/", "/api/v1")
METHODS_SKIPPED = {"HEAD", "OPTIONS"}


def is_public(rule):
    """True for the allow-listed public endpoints."""
    return rule.endpoint in PUBLIC_ENDPOINTS or rule.rule.startswith(PUBLIC_PREFIXES)


def build_world(request, backend, tmp_path, **config):
    """An app with users of each role, a response and a deletion request to fill URLs with."""
    from surveyapp.extensions import db
    from tests.dataops.conftest import store_response

    app = make_app(fresh_database(request, backend, tmp_path), **config)
    with app.app_context():
        made = {}
        for name, role in (
            ("admin", "admin"),
            ("admin2", "admin"),
            ("evaluator", "evaluator"),
            ("viewer", "viewer"),
        ):
            user = create_user(f"{name}-map", role)
            made[name] = SimpleNamespace(id=user.id, username=user.username, role=role)
        response = store_response(answer_rows_with_text())
        db.session.add(
            DeletionRequest(
                survey_id=response.survey_id,
                response_ids=[response.id],
                reason="map test",
                requested_by_id=made["admin2"].id,
            )
        )
        db.session.commit()
        ids = {
            "response_id": response.id,
            "request_id": db.session.scalar(select(DeletionRequest.id)),
            "user_id": made["viewer"].id,
        }
        db.session.remove()
    return SimpleNamespace(app=app, users=made, ids=ids, key=app.config["DEFAULT_SURVEY"])


def answer_rows_with_text():
    from tests.dataops.conftest import answer_rows

    return answer_rows(suggestion="<script>alert(1)</script> <b>x</b>")


def url_for_rule(world, rule):
    """A concrete URL for ``rule``: the default survey's key and real ids where the names say so."""
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name].__class__.__name__
        if name == "key":
            values[name] = world.key
        elif name in world.ids:
            values[name] = world.ids[name]
        elif name == "filename":
            values[name] = "css/console.css"
        elif name == "fmt":
            values[name] = "csv"
        elif converter in ("IntegerConverter", "FloatConverter"):
            values[name] = 1
        else:
            values[name] = "x"
    return rule.build(values, append_unknown=False)[1]


def routes(app):
    """``[(rule, method)]`` for every rule and method it accepts."""
    return [
        (rule, method)
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
        for method in sorted(rule.methods - METHODS_SKIPPED)
    ]


@pytest.fixture(params=BACKENDS)
def world(request, tmp_path):
    """Routes are checked without CSRF so that the role check is what answers."""
    made = build_world(request, request.param, tmp_path, WTF_CSRF_ENABLED=False)
    yield made
    from surveyapp.extensions import db

    with made.app.app_context():
        db.session.remove()
        db.engine.dispose()


def _call(client, method, url):
    with client.open(url, method=method, data={"reason": "x"}) as response:
        return response.status_code, response.headers.get("Location", "")


def test_every_non_public_endpoint_declares_a_role(world):
    missing = [
        rule.endpoint
        for rule in world.app.url_map.iter_rules()
        if not is_public(rule)
        and getattr(world.app.view_functions[rule.endpoint], "required_role", None) is None
    ]
    assert missing == [], (
        f"endpoints without role_required (or add them to the public allow-list): {missing}"
    )


def test_anonymous_requests_are_sent_to_login(world):
    client = world.app.test_client()
    wrong = []
    for rule, method in routes(world.app):
        if is_public(rule):
            continue
        status, location = _call(client, method, url_for_rule(world, rule))
        to_login = status == 302 and urlsplit(location).path == "/auth/login"
        if not (to_login or status == 401):
            wrong.append((method, rule.rule, status, location))
    assert wrong == []


def test_viewers_are_refused_evaluator_and_admin_actions(world):
    client = world.app.test_client()
    login_as(client, world.users["viewer"])
    wrong, checked = [], 0
    for rule, method in routes(world.app):
        role = getattr(world.app.view_functions[rule.endpoint], "required_role", None)
        if is_public(rule) or role not in ("evaluator", "admin"):
            continue
        checked += 1
        status, _ = _call(client, method, url_for_rule(world, rule))
        if status != 403:
            wrong.append((method, rule.rule, status))
    assert checked > 0 and wrong == []


def test_evaluators_are_refused_admin_actions(world):
    client = world.app.test_client()
    login_as(client, world.users["evaluator"])
    wrong = []
    for rule, method in routes(world.app):
        role = getattr(world.app.view_functions[rule.endpoint], "required_role", None)
        if is_public(rule) or role != "admin":
            continue
        status, _ = _call(client, method, url_for_rule(world, rule))
        if status != 403:
            wrong.append((method, rule.rule, status))
    assert wrong == []


def test_each_role_may_open_the_pages_of_its_level(world):
    """The other side: a GET at one's own level is not refused (guards against 403 everywhere)."""
    order = ("viewer", "evaluator", "admin")
    refused = []
    for who in order:
        client = world.app.test_client()
        login_as(client, world.users[who])
        for rule, method in routes(world.app):
            role = getattr(world.app.view_functions[rule.endpoint], "required_role", None)
            if (
                method != "GET"
                or is_public(rule)
                or role is None
                or order.index(role) > order.index(who)
            ):
                continue
            status, location = _call(client, method, url_for_rule(world, rule))
            if status in (401, 403) or (status == 302 and "/auth/login" in location):
                refused.append((who, rule.rule, status))
    assert refused == []
