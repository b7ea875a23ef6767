"""Template helpers: survey titles in the reader's language, local times, numbers."""

from flask_babel import format_datetime
from flask_babel import format_decimal
from flask_babel import get_locale

from ..i18n import text_in


def survey_title(version):
    """The title of a definition version in the current language (the key if there is none)."""
    if version is None:
        return ""
    return text_in(version.definition.get("title") or {}, get_locale()) or version.definition.get(
        "key", ""
    )


def local_datetime(value):
    """A naive-UTC timestamp shown in the configured time zone (Asia/Shanghai by default)."""
    return format_datetime(value, "yyyy-MM-dd HH:mm") if value else ""


def number(value, digits=0):
    """A number with the locale's separators, or a dash for None."""
    if value is None:
        return "–"
    return format_decimal(
        round(value, digits), format="#,##0" + ("." + "0" * digits if digits else "")
    )


def percent(value, digits=1):
    """A fraction shown as a percentage, or a dash for None."""
    if value is None:
        return "–"
    return number(value * 100, digits) + "%"


def text_of(labels):
    """A definition text (``{"zh": ..., "en": ...}``) in the current language."""
    return text_in(labels or {}, get_locale())


def inject():
    """Template context: the formatting helpers."""
    return {
        "survey_title": survey_title,
        "text_of": text_of,
        "fmt_number": number,
        "fmt_percent": percent,
    }


def register(bp):
    """Attach the helpers to a blueprint (available in every template)."""
    bp.app_context_processor(inject)
    bp.add_app_template_filter(local_datetime, "local_datetime")
