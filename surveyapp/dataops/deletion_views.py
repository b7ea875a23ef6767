"""Views: request, review, approve or reject the deletion of responses (admins only)."""

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import role_required
from ..extensions import db
from ..models import Response
from . import deletions as service
from .filters import parse_filter
from .forms import DecisionForm
from .forms import DeletionRequestForm
from .views_common import newest_definition
from .views_common import survey_or_404


@role_required("admin")
def deletions(key):
    """The survey's deletion requests and the form to ask for a new one."""
    survey = survey_or_404(key)
    return _render_list(survey, DeletionRequestForm(formdata=None))


def _render_list(survey, form, status=200):
    requests = service.requests_of(survey.id)
    names = service.usernames(
        {r.requested_by_id for r in requests} | {r.decided_by_id for r in requests}
    )
    return (
        render_template(
            "dataops/deletions.html", survey=survey, requests=requests, names=names, form=form
        ),
        status,
    )


@role_required("admin")
def deletion_create(key):
    """Record a deletion request (by ids, or by the filter it was sent with); deletes nothing."""
    survey = survey_or_404(key)
    form = DeletionRequestForm()
    if not form.validate():
        return _render_list(survey, form, status=422)
    try:
        if (form.ids.data or "").strip():
            made = service.request_deletion(
                survey, current_user, form.reason.data, ids=service.parse_ids(form.ids.data)
            )
        else:
            flt = parse_filter(
                request.form, newest_definition(survey), others=("ids", "reason", "csrf_token")
            )
            if flt.errors:
                raise service.DeletionRefused(" ".join(flt.errors))
            made = service.request_deletion(survey, current_user, form.reason.data, flt=flt)
    except service.DeletionRefused as refused:
        form.ids.errors = [*form.ids.errors, str(refused)]
        return _render_list(survey, form, status=422)
    db.session.commit()
    flash(
        _("Deletion request %(id)d recorded: another administrator must approve it.", id=made.id),
        "success",
    )
    return redirect(url_for("dataops.deletion", key=key, request_id=made.id), code=303)


@role_required("admin")
def deletion(key, request_id):
    """One request: exactly what would be deleted (count, ids, reason) and the decision form."""
    survey = survey_or_404(key)
    found = service.get_request(survey.id, request_id)
    if found is None:
        abort(404)
    return _render_request(survey, found, DecisionForm(formdata=None))


def _render_request(survey, found, form, status=200):
    ids = list(found.response_ids)
    sample = []
    if found.status == "pending":
        sample = (
            db.session.query(Response)
            .filter(Response.id.in_(ids[:200]))
            .order_by(Response.id)
            .all()
        )
    names = service.usernames({found.requested_by_id, found.decided_by_id})
    return (
        render_template(
            "dataops/deletion.html",
            survey=survey,
            req=found,
            ids=ids,
            present=service.still_present(found) if found.status == "pending" else None,
            sample=sample,
            names=names,
            own=found.requested_by_id == current_user.id,
            form=form,
        ),
        status,
    )


@role_required("admin")
def deletion_decide(key, request_id):
    """Approve (delete now, in this transaction) or reject; never the requester's own request."""
    survey = survey_or_404(key)
    found = service.get_request(survey.id, request_id)
    if found is None:
        abort(404)
    form = DecisionForm()
    if not form.validate():
        return _render_request(survey, found, form, status=422)
    try:
        if form.decision.data == "approve":
            deleted = service.approve(found, current_user, form.note.data)
            message = _("%(count)d responses deleted.", count=deleted)
        else:
            service.reject(found, current_user, form.note.data)
            message = _("Request rejected: nothing was deleted.")
    except service.DeletionRefused as refused:
        db.session.rollback()
        flash(str(refused), "error")
        return redirect(url_for("dataops.deletion", key=key, request_id=request_id), code=303)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("dataops.deletion", key=key, request_id=request_id), code=303)
