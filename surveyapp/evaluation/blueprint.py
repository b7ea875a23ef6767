"""URL rules of the ``evaluation`` blueprint (under /console/evaluations)."""

from flask import Blueprint

from . import views

bp = Blueprint(
    "evaluation", __name__, template_folder="templates", url_prefix="/console/evaluations"
)

_RULES = (
    ("", "index", views.index, ["GET"]),
    ("/<key>", "detail", views.detail, ["GET"]),
    ("/<key>/counts", "counts", views.counts, ["GET", "POST"]),
    ("/<key>/manual", "manual", views.manual, ["GET", "POST"]),
    ("/<key>/texts", "texts", views.texts, ["GET", "POST"]),
    ("/<key>/report.<fmt>", "report", views.report, ["GET"]),
)
for rule, endpoint, view, methods in _RULES:
    bp.add_url_rule(rule, endpoint, view, methods=methods)


@bp.context_processor
def _helpers():
    from .report import basis_text

    return {"basis": basis_text}
