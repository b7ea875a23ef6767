"""Who may do what: the login manager's user loader and the role check for console views."""

from functools import wraps

from flask import abort
from flask_login import current_user

from .extensions import db
from .extensions import login_manager
from .models import User


@login_manager.user_loader
def load_user(login_id):
    """Flask-Login hook: the active user of this login id (``"<id>:<session version>"``), or None.

    A session whose version is not the user's current one was ended (logout, password or role
    change, deactivation). A bare ``"<id>"`` (sessions from before versions existed) is version 0.
    """
    user_id, _sep, version = str(login_id).partition(":")
    if not user_id.isdigit() or not (version or "0").isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or (user.session_version or 0) != int(version or "0"):
        return None
    return user


def role_required(role):
    """Decorator: the view needs a logged-in user whose role is at least ``role``.

    Anonymous users are sent to the login page; logged-in users without the role get 403.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_role = role
        return wrapped

    return decorator
