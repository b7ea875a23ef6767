"""The console's navigation: main sections and per-survey tabs, shown only where they exist.

Other feature packages (results, dataops) register their own blueprints; an entry appears as soon
as one of its candidate endpoints is registered, and only to users whose role the view requires
(``role_required`` marks each view with ``required_role``).
"""

from flask import current_app
from flask import request
from flask import url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

# (candidate endpoints, label, endpoint prefixes that mark the entry as the current one)
MAIN_NAV = (
    (
        ("console.surveys",),
        _l("Surveys"),
        (
            "console.survey",
            "console.dashboard",
            "console.versions",
            "console.distribution",
            "console.poster",
            "console.qr",
            "console.invitation",
            "console.quota",
        ),
    ),
    (("results.index", "results.surveys", "results.overview"), _l("Results"), ("results.",)),
    (("dataops.responses", "dataops.index"), _l("Responses"), ("dataops.response",)),
    (("evaluation.index",), _l("Evaluations"), ("evaluation.",)),
    (("dataops.audit_log", "dataops.audit"), _l("Audit log"), ("dataops.audit",)),
    (("console.users",), _l("Users"), ("console.user",)),
)

SURVEY_TABS = (
    (("console.dashboard",), _l("Dashboard"), ("console.dashboard",)),
    (("console.versions",), _l("Definition"), ("console.versions",)),
    (("console.distribution",), _l("Distribution"), ("console.distribution", "console.poster")),
    (("console.invitations",), _l("Invitations"), ("console.invitation",)),
    (("console.quotas",), _l("Quotas"), ("console.quota",)),
    (("results.survey", "results.index", "results.overview"), _l("Results"), ("results.",)),
    (("dataops.responses",), _l("Responses"), ("dataops.response",)),
)


def _entries(spec, survey_key):
    app = current_app
    current = request.endpoint or ""
    entries = []
    for candidates, label, prefixes in spec:
        endpoint = next((e for e in candidates if e in app.view_functions), None)
        if endpoint is None:
            continue
        role = getattr(app.view_functions[endpoint], "required_role", "viewer")
        if not current_user.is_authenticated or not current_user.has_role(role):
            continue
        rule = next(app.url_map.iter_rules(endpoint))
        values = {}
        if "key" in rule.arguments:
            values["key"] = survey_key or app.config["DEFAULT_SURVEY"]
        entries.append(
            {
                "url": url_for(endpoint, **values),
                "label": label,
                "active": any(current.startswith(p) for p in prefixes),
            }
        )
    return entries


def main_nav():
    """The main sections the current user may open, with the current one marked."""
    return _entries(MAIN_NAV, (request.view_args or {}).get("key"))


def survey_tabs(survey_key):
    """The tabs of one survey's pages the current user may open."""
    return _entries(SURVEY_TABS, survey_key)


def language_url(locale):
    """The current page in another language (``?lang=`` is remembered in the session).

    A page rendered in answer to a POST (a form with errors) links to the survey list instead,
    since its URL may not accept GET.
    """
    if request.method != "GET" or not request.endpoint:
        return url_for("console.surveys", lang=locale)
    values = {**request.args.to_dict(), **(request.view_args or {}), "lang": locale}
    return url_for(request.endpoint, **values)


def inject():
    """Template context: navigation helpers for every template."""
    return {
        "console_nav": main_nav,
        "console_survey_tabs": survey_tabs,
        "console_language_url": language_url,
        "console_locale": lambda: str(get_locale()),
        "role_label": role_label,
        "status_label": status_label,
    }


ROLE_LABELS = {"admin": _l("Administrator"), "evaluator": _l("Evaluator"), "viewer": _l("Viewer")}


def role_label(role):
    """The translated name of a role."""
    return ROLE_LABELS.get(role, role)


STATUS_LABELS = {"draft": _l("Draft"), "open": _l("Open"), "closed": _l("Closed")}


def status_label(status):
    """The translated name of a survey status."""
    return STATUS_LABELS.get(status, status)
