"""Audit entries that must outlive a rolled-back transaction.

A refused submission (say, a reused invitation token) is rolled back by the public view, yet the
attempt belongs in the audit log. :func:`keep_after_rollback` remembers such an entry; if the
session commits, it was stored with the rest; if the session rolls back, it is written again in a
transaction of its own right after the rollback (when no lock of the failed work is held).
"""

from sqlalchemy import event
from sqlalchemy import insert
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import AuditEntry

_KEY = "dataops_durable_audit"
_COLUMNS = (
    "at",
    "user_id",
    "username",
    "action",
    "survey_id",
    "response_id",
    "client_hash",
    "detail",
)


def keep_after_rollback(entry):
    """Make sure ``entry`` (an :class:`AuditEntry` just added) is stored either way."""
    db.session.flush()
    values = {name: getattr(entry, name) for name in _COLUMNS}
    db.session.info.setdefault(_KEY, []).append(values)


def _after_commit(session):
    session.info.pop(_KEY, None)


def _after_rollback(session):
    pending = session.info.pop(_KEY, None)
    if not pending:
        return
    bind = session.get_bind(mapper=AuditEntry.__mapper__)
    engine = getattr(bind, "engine", bind)
    with engine.begin() as connection:
        connection.execute(insert(AuditEntry.__table__), pending)


def install():
    """Listen on every ORM session (idempotent)."""
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
