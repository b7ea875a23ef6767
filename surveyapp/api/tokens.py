"""API tokens: created once (shown once), stored only as SHA-256, checked on every request."""

import hashlib
import secrets

from sqlalchemy import select

from ..extensions import db
from ..models import ApiToken
from ..models._types import utcnow


def digest(token):
    """SHA-256 hex digest of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(user, name):
    """Make a token for ``user``; returns ``(row, plain token)`` -- the plain token is never stored."""
    plain = "sv_" + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name[:64], token_sha256=digest(plain))
    db.session.add(row)
    db.session.flush()
    return row, plain


def user_for(header):
    """The active user behind an ``Authorization: Bearer <token>`` header, or None."""
    if not header or not header.startswith("Bearer "):
        return None
    token = header[len("Bearer ") :].strip()
    if not token:
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_sha256 == digest(token)))
    if row is None or row.revoked or not row.user.active:
        return None
    row.last_used_at = utcnow()
    return row.user
