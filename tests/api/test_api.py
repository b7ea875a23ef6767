"""The read-only JSON API: bearer tokens, JSON errors, same results as the CLI, and a schemathesis run."""

import json

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from schemathesis.specs.openapi.checks import ignored_auth
from sqlalchemy import select

from surveyapp.api.tokens import digest
from surveyapp.definitions.store import get_survey
from surveyapp.demo import insert_demo_responses
from surveyapp.extensions import db as _db
from surveyapp.models import ApiToken


def _token(runner, name):
    result = runner.invoke(args=["users", "token", name, "--label", "tests"])
    assert result.exit_code == 0, result.output
    return result.stdout.strip().splitlines()[0]


@pytest.fixture
def token(demo, accounts, runner):
    """A viewer's API token."""
    return _token(runner, accounts["viewer"].username)


def test_token_is_stored_only_as_its_hash(demo, token):
    with demo.app_context():
        rows = _db.session.scalars(select(ApiToken)).all()
    assert (
        len(rows) == 1
        and rows[0].token_sha256 == digest(token)
        and token not in rows[0].token_sha256
    )


def test_results_equal_the_cli_json(demo, client, runner, token):
    auth = {"Authorization": f"Bearer {token}"}
    with client.get("/api/v1/surveys/nanyang-dcm/results", headers=auth) as response:
        assert response.status_code == 200
        api = response.get_json()
    cli = json.loads(runner.invoke(args=["survey", "analyze", "nanyang-dcm", "--json"]).output)
    assert api["estimates"] == cli["estimates"] and api["indicators"] == cli["indicators"]
    with client.get("/api/v1/surveys", headers=auth) as response:
        listed = response.get_json()["surveys"]
    assert listed[0]["key"] == "nanyang-dcm" and listed[0]["valid_responses"] == api["n"]
    with client.get("/api/v1/surveys/nanyang-dcm/indicators", headers=auth) as response:
        body = response.get_json()
    assert [i["points"] for i in body["indicators"]] == [i["points"] for i in cli["indicators"]]
    assert body["evaluations"] == []


@pytest.mark.parametrize("header", [None, "Bearer nope", "Basic abc", "Bearer "])
def test_errors_are_json(demo, client, header):
    headers = {"Authorization": header} if header else {}
    with client.get("/api/v1/surveys", headers=headers) as response:
        assert response.status_code == 401 and response.is_json
        assert response.get_json()["status"] == 401 and "token" in response.get_json()["error"]
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_not_found_and_revoked(demo, client, token):
    auth = {"Authorization": f"Bearer {token}"}
    for url in ("/api/v1/surveys/none", "/api/v1/surveys/none/results", "/api/v1/nothing"):
        with client.get(url, headers=auth) as response:
            assert response.status_code == 404 and response.is_json
    with demo.app_context():
        _db.session.scalars(select(ApiToken)).one().revoked = True
        _db.session.commit()
    with client.get("/api/v1/surveys", headers=auth) as response:
        assert response.status_code == 401


def test_openapi_document(demo, client):
    with client.get("/api/v1/openapi.json") as response:
        doc = response.get_json()
    assert doc["openapi"].startswith("3.") and "/surveys/{key}/results" in doc["paths"]
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


@pytest.fixture
def api_app(app):
    """A small survey for the property-based run (each results call recomputes)."""
    with app.app_context():
        insert_demo_responses(get_survey("nanyang-dcm"), 150, seed=2)
        _db.session.commit()
    return app


@pytest.fixture
def api_token(api_app, accounts):
    runner = api_app.test_cli_runner()
    return _token(runner, accounts["evaluator"].username)


def test_schemathesis_finds_no_server_errors(api_app, api_token):
    # Schemathesis's Python API against the WSGI app, a bounded number of examples per operation.
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api_app)
    headers = {"Authorization": f"Bearer {api_token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 4

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=6, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def check(case):
            response = case.call(headers=headers)
            assert response.status_code < 500, (case.path, response.status_code)
            # ignored_auth would flag our own valid token (we replace the generated credentials);
            # missing and wrong tokens are tested above.
            case.validate_response(response, excluded_checks=[ignored_auth])

        check()
