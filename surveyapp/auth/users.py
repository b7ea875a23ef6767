"""Console accounts: create, change role, (de)activate; shared by the CLI and the admin pages."""

import re
from dataclasses import dataclass

from flask import has_request_context
from flask_babel import gettext
from sqlalchemy import func
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from .. import audit
from ..extensions import db
from ..models import ApiToken
from ..models import User
from ..models._types import utcnow
from ..models.user import ROLES
from . import backoff
from .passwords import is_common_password

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$")
MIN_PASSWORD_LENGTH = 10
# Checked when the username is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


def _(message, **values):
    # The same services serve the CLI, where there is no request and so no language to pick.
    return gettext(message, **values) if has_request_context() else message % values


class UserError(ValueError):
    """A user operation was refused; the message says why, in the user's language."""


def get_user(username):
    """The user with this name, or None."""
    return db.session.scalar(select(User).where(User.username == username))


@dataclass(frozen=True)
class LoginAttempt:
    """The outcome of a login: the user, or None with ``wait`` seconds of back-off (if any)."""

    user: User | None
    wait: int = 0


def authenticate(username, password):
    """A :class:`LoginAttempt` for this name and password, with the back-off of
    :mod:`surveyapp.auth.backoff` (a wrong password counts against the account)."""
    user = get_user(username)
    if user is None:
        User(password_hash=_DUMMY_HASH).check_password(password)
        return LoginAttempt(None)
    if not backoff.known_device(user):
        wait = backoff.cool_down(user)
        if wait:
            return LoginAttempt(None, wait)
    if not user.check_password(password):
        backoff.record_failure(user)
        return LoginAttempt(None)
    return LoginAttempt(user if user.active else None)


def check_role(role):
    """Refuse an unknown role."""
    if role not in ROLES:
        raise UserError(
            _("Unknown role %(role)s (use one of: %(roles)s).", role=role, roles=", ".join(ROLES))
        )


def check_password(password, username=None):
    """Refuse a password that is too short, a common one, or one containing the username."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(
            _("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
        )
    if username and username.strip().lower() in password.lower():
        raise UserError(_("The password must not contain the username."))
    if is_common_password(password):
        raise UserError(
            _("This password is one of the most common ones and easy to guess; choose another.")
        )


def create_user(username, role, password, actor=None):
    """Add a user (audited ``user.create``); raises :class:`UserError` on bad input."""
    username = (username or "").strip()
    if not USERNAME_PATTERN.match(username):
        raise UserError(
            _(
                "A username has 2 to 64 letters, digits, dots, hyphens or underscores, "
                "starting with a letter or digit."
            )
        )
    check_role(role)
    check_password(password, username)
    if get_user(username) is not None:
        raise UserError(_("The username %(name)s is already taken.", name=username))
    user = User(
        username=username,
        role=role,
        active=True,
        created_by_id=getattr(actor, "id", None),
        role_granted_by_id=getattr(actor, "id", None),
        role_granted_at=utcnow(),
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", user=actor, target=username, role=role, **_via(actor))
    return user


def set_role(user, role, actor=None):
    """Change a user's role (audited ``user.role``)."""
    check_role(role)
    if user.role == role:
        return user
    if user.role == "admin" and role != "admin":
        _keep_an_admin(user)
    old = user.role
    user.role = role
    user.role_granted_by_id = getattr(actor, "id", None)
    user.role_granted_at = utcnow()
    user.end_sessions()
    revoke_tokens(user)
    db.session.flush()
    audit.record("user.role", user=actor, target=user.username, old=old, new=role, **_via(actor))
    return user


def set_active(user, active, actor=None):
    """Deactivate or reactivate a user (audited ``user.deactivate`` / ``user.reactivate``)."""
    if user.active == active:
        return user
    if not active and user.role == "admin":
        _keep_an_admin(user)
    user.active = active
    user.end_sessions()
    if not active:
        revoke_tokens(user)
    db.session.flush()
    action = "user.reactivate" if active else "user.deactivate"
    audit.record(action, user=actor, target=user.username, **_via(actor))
    return user


def set_password(user, password, actor=None):
    """Give a user a new password (audited ``user.password``; the password is never logged)."""
    check_password(password, user.username)
    user.set_password(password)
    user.end_sessions()
    db.session.flush()
    audit.record("user.password", user=actor, target=user.username, **_via(actor))
    return user


def revoke_tokens(user):
    """Revoke every API token of ``user`` (on deactivation or a role change); returns how many."""
    tokens = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked.is_(False))
    ).all()
    for token in tokens:
        token.revoked = True
    return len(tokens)


def list_users():
    """Every user, by name."""
    return db.session.scalars(select(User).order_by(User.username)).all()


def _keep_an_admin(user):
    # Without an active admin nobody could manage users or approve deletions any more.
    others = db.session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == "admin", User.active.is_(True), User.id != user.id)
    )
    if not others:
        raise UserError(
            _(
                "%(name)s is the last active administrator; "
                "make someone else an administrator first.",
                name=user.username,
            )
        )


def _via(actor):
    return {} if actor is not None else {"via": "cli"}
