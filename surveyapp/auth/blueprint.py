"""The ``auth`` blueprint and its set-up: login manager, secure cookies, rate limits."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from ..extensions import login_manager
from . import views

bp = Blueprint("auth", __name__, template_folder="templates", url_prefix="/auth")
bp.add_url_rule("/login", "login", views.login_limited, methods=["GET", "POST"])
bp.add_url_rule("/logout", "logout", views.logout, methods=["POST"])
bp.register_error_handler(429, views.too_many_attempts)


@bp.record_once
def _configure(state):
    app = state.app
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to use the console.")
    login_manager.login_message_category = "info"
    # Behind HTTPS the session and remember-me cookies must never travel over plain HTTP.
    if app.config.get("SECURE_COOKIES") or app.config.get("PREFERRED_URL_SCHEME") == "https":
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
