"""URL rules of the ``results`` blueprint (under /console/surveys/<key>/...)."""

from flask import Blueprint

from . import labels
from . import views

bp = Blueprint("results", __name__, template_folder="templates", url_prefix="/console")

_RULES = (
    ("/results", "index", views.index, ["GET"]),
    ("/surveys/<key>/results", "survey", views.results_page, ["GET"]),
    ("/surveys/<key>/results/chart/<name>.<fmt>", "chart", views.chart, ["GET"]),
    ("/surveys/<key>/results/report.<fmt>", "report", views.report, ["GET"]),
    ("/surveys/<key>/results/export", "export", views.export, ["GET"]),
    ("/surveys/<key>/results/estimates.<fmt>", "estimates", views.estimates, ["GET"]),
    ("/surveys/<key>/results/text/<question>", "texts", views.text_answers, ["GET"]),
    ("/surveys/<key>/analysis-settings", "settings", views.settings_page, ["GET", "POST"]),
)
for rule, endpoint, view, methods in _RULES:
    bp.add_url_rule(rule, endpoint, view, methods=methods)
# Globals, not context: macros are imported without the page's context.
bp.add_app_template_global(labels.weighting_error, "weighting_error")
bp.add_app_template_global(labels.number, "number")
bp.add_app_template_global(labels.p_text, "p_text")


@bp.context_processor
def _helpers():
    from .citations import domain_label
    from .citations import label_of
    from .citations import methods_paragraph
    from .model import Domain
    from .presentation import statistic_name

    def domain_namer(results, lang):
        return lambda variable, value: domain_label(results, Domain(variable, str(value)), lang)

    return {
        "methods_text": methods_paragraph,
        "label_of": label_of,
        "statistic_name": statistic_name,
        "domain_namer": domain_namer,
    }
