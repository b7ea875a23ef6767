"""Language choice: an explicit ``?lang=`` (remembered in the session), else Chinese."""

from functools import lru_cache

from babel import Locale
from flask import current_app
from flask import has_request_context
from flask import request
from flask import session


def normalise_locale(value):
    """Map what people type (zh, zh-CN, en-US) onto a supported locale, or None."""
    if not value:
        return None
    value = value.replace("-", "_").lower()
    for supported in current_app.config["LANGUAGES"]:
        if value == supported.lower() or value.split("_")[0] == supported.split("_")[0].lower():
            return supported
    return None


def select_locale():
    """Flask-Babel locale selector (the default locale outside a request, e.g. in CLI commands).

    Returns a parsed :class:`babel.Locale` (Flask-Babel would otherwise parse the code again on
    every request).
    """
    if not has_request_context():
        return parsed_locale(current_app.config["BABEL_DEFAULT_LOCALE"])
    chosen = normalise_locale(request.args.get("lang"))
    if chosen:
        session["lang"] = chosen
        return parsed_locale(chosen)
    return parsed_locale(
        normalise_locale(session.get("lang")) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


@lru_cache(maxsize=16)
def parsed_locale(code):
    """The :class:`babel.Locale` of a supported locale code (parsed once a process)."""
    return Locale.parse(code)


def text_in(labels, locale):
    """Pick a label from a ``{"zh": ..., "en": ...}`` mapping for a locale, falling back to Chinese."""
    lang = "en" if str(locale).startswith("en") else "zh"
    return labels.get(lang) or labels.get("zh") or next(iter(labels.values()), "")
