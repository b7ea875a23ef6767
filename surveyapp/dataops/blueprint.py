"""URL rules of the ``dataops`` blueprint: responses, deletion requests, the audit log."""

from flask import Blueprint

from . import audit_views
from . import deletion_views
from . import durable
from . import guard
from . import hooks  # noqa: F401  (registers the submission post-hook)
from . import labels
from . import response_views

bp = Blueprint("dataops", __name__, template_folder="templates", url_prefix="/console")
bp.context_processor(labels.inject)
bp.add_app_template_filter(labels.audit_detail, "audit_detail")


@bp.record_once
def _install(_state):
    guard.install()
    durable.install()


_RULES = (
    ("/surveys/<key>/responses", "responses", response_views.responses, ["GET"]),
    ("/surveys/<key>/responses/<int:response_id>", "response", response_views.response, ["GET"]),
    (
        "/surveys/<key>/responses/<int:response_id>/status",
        "response_status",
        response_views.response_status,
        ["POST"],
    ),
    (
        "/surveys/<key>/responses/exclude-flagged",
        "responses_exclude",
        response_views.exclude_flagged,
        ["POST"],
    ),
    (
        "/surveys/<key>/responses/refresh-flags",
        "responses_refresh",
        response_views.refresh_flags,
        ["POST"],
    ),
    ("/surveys/<key>/deletions", "deletions", deletion_views.deletions, ["GET"]),
    ("/surveys/<key>/deletions/new", "deletion_create", deletion_views.deletion_create, ["POST"]),
    ("/surveys/<key>/deletions/<int:request_id>", "deletion", deletion_views.deletion, ["GET"]),
    (
        "/surveys/<key>/deletions/<int:request_id>/decide",
        "deletion_decide",
        deletion_views.deletion_decide,
        ["POST"],
    ),
    ("/audit", "audit_log", audit_views.audit_log, ["GET"]),
    ("/audit/export.<fmt>", "audit_export", audit_views.audit_export, ["GET"]),
)
for rule, endpoint, view, methods in _RULES:
    bp.add_url_rule(rule, endpoint, view, methods=methods)
