"""Recording sensitive operations in the append-only audit log."""

from flask import has_request_context
from flask_login import current_user

from .extensions import db
from .models import AuditEntry
from .security import client_hash


def record(action, *, survey_id=None, response_id=None, user=None, **detail):
    """Add an audit entry to the current transaction (committed with the request's work).

    ``user`` defaults to the logged-in user; ``detail`` holds what else an auditor needs.
    """
    if user is None and has_request_context() and current_user and current_user.is_authenticated:
        user = current_user
    entry = AuditEntry(
        action=action,
        survey_id=survey_id,
        response_id=response_id,
        user_id=getattr(user, "id", None),
        username=getattr(user, "username", None) or detail.pop("username", None),
        client_hash=client_hash() if has_request_context() else None,
        detail=detail,
    )
    db.session.add(entry)
    return entry
