"""Console fixtures: users of each role as plain records, and a logged-in client per role."""

import functools
from types import SimpleNamespace

import pytest
from werkzeug.security import generate_password_hash

from surveyapp.extensions import db as _db
from surveyapp.models import User
from tests.conftest import login_as

PASSWORD = "correct horse battery staple"


@functools.cache
def password_hash():
    """One scrypt hash of PASSWORD, computed once: hashing is deliberately slow."""
    return generate_password_hash(PASSWORD, method="scrypt")


@pytest.fixture
def accounts(app):
    """One user per role as ``SimpleNamespace(id, username, role)`` (usable outside a session)."""
    made = {}
    with app.app_context():
        for role in ("admin", "evaluator", "viewer"):
            user = User(username=f"{role}1", role=role, password_hash=password_hash())
            _db.session.add(user)
            _db.session.flush()
            made[role] = SimpleNamespace(id=user.id, username=user.username, role=role)
        _db.session.commit()
    return made


@pytest.fixture
def as_role(app, client, accounts):
    """``as_role("evaluator")`` logs the test client in with that role and returns it."""

    def log_in(role):
        login_as(client, accounts[role])
        return client

    return log_in


def csrf_token(client, url="/auth/login"):
    """The CSRF token of the client's session, read from a page with a form."""
    import re

    with client.get(url) as response:
        match = re.search(
            r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"',
            response.get_data(as_text=True),
        )
    assert match, f"no CSRF token on {url}"
    return match.group(1) or match.group(2)


def audit_actions(app, action=None):
    """The audit entries (oldest first, detached), optionally only those of one action.

    Opens its own app context: a context held open around test-client requests would share
    ``g`` (and so the logged-in user) between requests.
    """
    from sqlalchemy import select

    from surveyapp.extensions import db
    from surveyapp.models import AuditEntry

    query = select(AuditEntry).order_by(AuditEntry.id)
    if action:
        query = query.where(AuditEntry.action == action)
    with app.app_context():
        entries = db.session.scalars(query).all()
        db.session.expunge_all()
    return entries
