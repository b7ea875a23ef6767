"""Views: browse the audit log and export it (CSV or JSON lines); the export is audited too."""

from flask import Response
from flask import abort
from flask import flash
from flask import render_template
from flask import request
from flask import stream_with_context
from flask import url_for

from .. import audit
from ..access import role_required
from ..extensions import db
from ..models._types import utcnow
from . import auditlog as service
from .views_common import page_number

EXPORTS = {
    "csv": (service.export_csv, "text/csv; charset=utf-8"),
    "jsonl": (service.export_jsonl, "application/x-ndjson; charset=utf-8"),
}


@role_required("admin")
def audit_log():
    """The audit log, filtered by action, user, survey and date, newest first."""
    flt = service.parse_filter(request.args)
    for error in flt.errors:
        flash(error, "error")
    entries, total, pages, page = service.page_of(flt, page_number())
    actions, users = service.choices()
    return render_template(
        "dataops/audit.html",
        entries=entries,
        total=total,
        pages=pages,
        page=page,
        flt=flt,
        args=flt.query_args(),
        page_url=lambda n: url_for("dataops.audit_log", page=n, **flt.query_args()),
        actions=actions,
        users=users,
        keys=service.survey_keys(),
    )


@role_required("admin")
def audit_export(fmt):
    """Download the (filtered) log; who exported what is itself recorded first."""
    if fmt not in EXPORTS:
        abort(404)
    flt = service.parse_filter(request.args)
    audit.record("audit.export", format=fmt, filter=flt.query_args())
    db.session.commit()
    generate, mimetype = EXPORTS[fmt]
    name = f"audit-log-{utcnow():%Y%m%d-%H%M%S}.{fmt}"
    return Response(
        stream_with_context(generate(flt)),
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
