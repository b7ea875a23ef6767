"""One answer per browser: the thank-you page marks the browser with a cookie; the form is then
replaced by a friendly "already answered" page, unless the survey's definition says
``allow_multiple: true``. A response still sent from a marked browser is flagged (see
``Submission.repeat`` and :mod:`surveyapp.dataops.quality`)."""

from flask import current_app
from flask import render_template
from flask import request
from flask_babel import force_locale
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from ..i18n import normalise_locale
from ..i18n import text_in

COOKIE_DAYS = 365
TITLE = _l("Already answered")
MESSAGE = _l(
    "This questionnaire has already been answered in this browser. Thank you! "
    "Each person is asked to answer once."
)


def cookie_name(key):
    """The name of the cookie that says this browser has answered survey ``key``."""
    return f"answered-{key}"


def answered_before(definition):
    """Whether this browser has answered the survey and the survey allows one answer only."""
    marked = request.cookies.get(cookie_name(definition.key)) == "1"
    return marked and not definition.allow_multiple


def mark(response, definition):
    """Set the cookie on ``response`` (the thank-you page)."""
    response.set_cookie(
        cookie_name(definition.key),
        "1",
        max_age=COOKIE_DAYS * 86400,
        path="/s/",
        httponly=True,
        samesite="Lax",
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
    )
    return response


def already_answered_page(definition):
    """The friendly page shown instead of a second form, in both languages."""
    locale = get_locale()
    current = normalise_locale(str(locale)) or current_app.config["BABEL_DEFAULT_LOCALE"]
    other = "en" if current == "zh_CN" else "zh_CN"
    with force_locale(other):
        other_title, other_message = str(TITLE), str(MESSAGE)
    return render_template(
        "public/answered.html",
        title=text_in(definition.title, locale),
        heading=str(TITLE),
        message=str(MESSAGE),
        other_lang=other.replace("_", "-"),
        other_title=other_title,
        other_message=other_message,
    )
