"""Login and logout. Attempts are rate-limited per client address; each account backs off
(surveyapp.auth.backoff) instead of being locked."""

from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user
from flask_login import login_user
from flask_login import logout_user

from .. import audit
from ..extensions import db
from ..extensions import limiter
from . import backoff
from .forms import LoginForm
from .redirects import safe_next
from .users import authenticate


def _login_limit():
    return current_app.config["RATELIMIT_LOGIN"]


def _home():
    return url_for("console.surveys")


def login():
    """Show the login form; on a valid post, log the user in and go to ``next`` (this site only)."""
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
        if current_user.is_authenticated:
            return redirect(safe_next(request.args.get("next")) or _home())
    error = None
    if form.validate_on_submit():
        username = form.username.data.strip()
        attempt = authenticate(username, form.password.data)
        user = attempt.user
        if user is None:
            extra = {"cooling_down": attempt.wait} if attempt.wait else {}
            audit.record(
                "auth.login_failed", username=username[:64], attempted=username[:64], **extra
            )
            db.session.commit()
            error = (
                _(
                    "Too many wrong passwords were tried for this account. Please wait "
                    "%(seconds)d seconds and try again.",
                    seconds=attempt.wait,
                )
                if attempt.wait
                else _("Wrong username or password.")
            )
        else:
            # A fresh session at login: only the language survives from before authentication.
            lang = session.get("lang")
            session.clear()
            if lang:
                session["lang"] = lang
            login_user(user)
            response = backoff.record_success(user, redirect(safe_next(form.next.data) or _home()))
            audit.record("auth.login", user=user)
            db.session.commit()
            return response
    elif request.method == "POST":
        if "csrf_token" in form.errors:
            error = _("The form had expired. Please log in again.")
        else:
            error = _("Please enter your username and password.")
    return render_template("auth/login.html", form=form, error=error)


# Per address only: a per-account limit would let anyone lock the account's owner out (the
# account's own protection is the back-off of surveyapp.auth.backoff).
login_limited = limiter.limit(_login_limit, key_func=get_remote_address, methods=["POST"])(login)


def logout():
    """Log out (POST only, so another site cannot log people out with a link).

    Ends every session of the user: a copy of the cookie no longer works.
    """
    if current_user.is_authenticated:
        current_user.end_sessions()
        audit.record("auth.logout")
        db.session.commit()
    logout_user()
    session.pop("_fresh", None)
    flash(_("You have been logged out."), "success")
    return redirect(url_for("auth.login"))


def too_many_attempts(_error):
    """429 on the login page, saying plainly what happened and when to try again."""
    form = LoginForm()
    form.next.data = safe_next(request.form.get("next") or request.args.get("next")) or ""
    error = _("Too many login attempts. Please wait a minute and try again.")
    return render_template("auth/login.html", form=form, error=error), 429
