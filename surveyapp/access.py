"""Who may do what: the login manager's user loader and the role check for console views."""

from functools import wraps

from flask import abort
from flask_login import current_user

from .extensions import db
from .extensions import login_manager
from .models import User


@login_manager.user_loader
def load_user(user_id):
    """Flask-Login hook: the active user with this id, or None."""
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


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
