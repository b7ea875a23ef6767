"""Results fixtures: the default survey with synthetic responses, and logged-in clients."""

import re
from types import SimpleNamespace

import pytest

from surveyapp.definitions.store import get_survey
from surveyapp.demo import insert_demo_responses
from surveyapp.extensions import db as _db
from tests.conftest import create_user
from tests.conftest import login_as

DEMO_N = 1000


@pytest.fixture
def demo(app):
    """The app with DEMO_N synthetic responses to the default survey (seed 11)."""
    with app.app_context():
        insert_demo_responses(get_survey("nanyang-dcm"), DEMO_N, seed=11)
        _db.session.commit()
    return app


@pytest.fixture
def accounts(app):
    """One user per role as plain records (usable outside a session)."""
    made = {}
    with app.app_context():
        for role in ("admin", "evaluator", "viewer"):
            user = create_user(f"{role}1", role)
            made[role] = SimpleNamespace(id=user.id, username=user.username, role=role)
    return made


@pytest.fixture
def as_role(demo, client, accounts):
    """``as_role("evaluator")``: the test client logged in with that role."""

    def log_in(role):
        login_as(client, accounts[role])
        return client

    return log_in


def csrf_from(client, url):
    """The CSRF token in the form of the page at ``url``."""
    with client.get(url) as response:
        match = re.search(
            r'name="csrf_token" type="hidden" value="([^"]+)"', response.text
        ) or re.search(r'name="csrf_token" value="([^"]+)"', response.text)
    return match.group(1)
