"""Friendly, bilingual error pages for the whole application (400/404/410/413/429/500)."""

from flask import jsonify
from flask import render_template
from flask import request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import InternalServerError

from ..extensions import db
from .blueprint import bp
from .views import current_language

MESSAGES = {
    400: (
        _l("This request could not be understood"),
        _l("Something in what your browser sent was not valid. Please go back and try again."),
    ),
    404: (
        _l("Page not found"),
        _l("We could not find this page or questionnaire. Please check the link you were given."),
    ),
    410: (
        _l("This survey has closed"),
        _l("This survey is no longer accepting answers. Thank you for your interest."),
    ),
    413: (
        _l("Your answers were too long to send"),
        _l("Nothing was saved. Please go back, shorten your longest answers and submit again."),
    ),
    429: (
        _l("Too many attempts"),
        _l(
            "Too many forms were sent from your connection in a short time. Nothing more was "
            "saved. Please wait a minute and try again."
        ),
    ),
    500: (
        _l("Something went wrong on our side"),
        _l("Your answers were not saved. Please try again in a few minutes."),
    ),
}
OTHER_LOCALE = {"zh_CN": "en", "en": "zh_CN"}


def _page(code):
    if request.path.startswith("/api/"):
        return jsonify(error=str(MESSAGES[code][0]), status=code), code
    other = OTHER_LOCALE.get(current_language(), "en")
    title, message = (str(text) for text in MESSAGES[code])
    # The same message in the other language underneath: a wrong language choice is no obstacle.
    with force_locale(other):
        other_title, other_message = (str(text) for text in MESSAGES[code])
    html = render_template(
        "public/error.html",
        code=code,
        title=title,
        message=message,
        other_lang=other.replace("_", "-"),
        other_title=other_title,
        other_message=other_message,
    )
    return html, code


def _handler(code):
    def handle(error):
        if code == 500:
            # The failed request's transaction must not leak into the error page (or the next).
            db.session.rollback()
        return _page(code)

    handle.__name__ = f"handle_{code}"
    return handle


for _code in (400, 404, 410, 413, 429):
    bp.app_errorhandler(_code)(_handler(_code))
bp.app_errorhandler(InternalServerError)(_handler(500))
