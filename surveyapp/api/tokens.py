"""API tokens: created once (shown once), stored only as SHA-256, checked on every request."""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..models import ApiToken
from ..models._types import utcnow


def digest(token):
    """SHA-256 hex digest of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(user, name, days=None):
    """Make a token for ``user`` valid ``days`` (default ``API_TOKEN_DAYS``); returns
    ``(row, plain token)`` -- the plain token is never stored."""
    days = days or current_app.config["API_TOKEN_DAYS"]
    plain = "sv_" + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        name=name[:64],
        token_sha256=digest(plain),
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(row)
    db.session.flush()
    return row, plain


def tokens_of(user):
    """Every API token of ``user``, oldest first."""
    return db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
    ).all()


def token_state(row, now=None):
    """``"revoked"``, ``"expired"`` or ``"active"``."""
    if row.revoked:
        return "revoked"
    if row.expires_at is not None and row.expires_at <= (now or utcnow()):
        return "expired"
    return "active"


def user_for(header):
    """The active user behind an ``Authorization: Bearer <token>`` header, or None."""
    if not header or not header.startswith("Bearer "):
        return None
    token = header[len("Bearer ") :].strip()
    if not token:
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_sha256 == digest(token)))
    now = utcnow()
    if row is None or row.revoked or not row.user.active:
        return None
    if row.expires_at is not None and row.expires_at <= now:
        return None
    row.last_used_at = now
    return row.user
