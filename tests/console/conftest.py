"""Console fixtures: users of each role as plain records, and a logged-in client per role."""

from types import SimpleNamespace

import pytest

from tests.conftest import create_user
from tests.conftest import login_as

PASSWORD = "correct horse battery staple"


@pytest.fixture
def accounts(app):
    """One user per role as ``SimpleNamespace(id, username, role)`` (usable outside a session)."""
    made = {}
    with app.app_context():
        for role in ("admin", "evaluator", "viewer"):
            user = create_user(f"{role}1", role, PASSWORD)
            made[role] = SimpleNamespace(id=user.id, username=user.username, role=role)
    return made


@pytest.fixture
def as_role(app, client, accounts):
    """``as_role("evaluator")`` logs the test client in with that role and returns it."""

    def log_in(role):
        login_as(client, accounts[role])
        return client

    return log_in
