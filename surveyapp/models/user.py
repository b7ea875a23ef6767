"""Console accounts and the API tokens of machine clients."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship
from werkzeug.security import check_password_hash
from werkzeug.security import generate_password_hash

from ..extensions import db
from ._types import utcnow

# Ordered by power: each role may do everything the ones before it may.
ROLES = ("viewer", "evaluator", "admin")


class User(UserMixin, db.Model):
    """A person who uses the console."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="viewer")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Part of the login id: bumping it ends every session (logout, password, role, deactivation).
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # Who created the account and who gave it its current role, when (plain ids: see migration).
    created_by_id: Mapped[int | None]
    role_granted_by_id: Mapped[int | None]
    role_granted_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    # Consecutive failed logins and the last one: the login back-off (surveyapp.auth.backoff).
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    last_failed_login_at: Mapped[datetime | None]

    @property
    def is_active(self):
        return self.active

    def get_id(self):
        """The login id kept in the session: ``"<id>:<session version>"``."""
        return f"{self.id}:{self.session_version or 0}"

    def end_sessions(self):
        """Invalidate every session (and remember-me cookie) issued for this user so far."""
        self.session_version = (self.session_version or 0) + 1

    def set_password(self, password):
        """Store a scrypt hash of the password."""
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)

    def has_role(self, role):
        """True when this user's role is at least ``role``."""
        return ROLES.index(self.role) >= ROLES.index(role)


class ApiToken(db.Model):
    """A bearer token for ``/api/v1``; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    revoked: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship()
