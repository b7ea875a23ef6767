"""Survey pages: the list, definition versions, uploading a version, opening and closing."""

from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access import role_required
from ..dataops.views_common import survey_or_404
from ..definitions import DefinitionError
from ..extensions import db
from .forms import StatusForm
from .forms import UploadForm
from .surveys import TransitionError
from .surveys import set_status
from .surveys import survey_overview
from .surveys import upload_definition


@role_required("viewer")
def index():
    """``/console/``: the survey list is the home page."""
    return redirect(url_for("console.surveys"))


@role_required("viewer")
def surveys():
    """Every survey with status, newest version and number of responses."""
    return render_template("console/surveys.html", rows=survey_overview(), form=UploadForm())


@role_required("evaluator")
def upload_new():
    """Load a definition from the survey list: a new survey, or a new version of an existing one."""
    form = UploadForm()
    problems = _upload(form, survey=None)
    if problems is None:
        return redirect(url_for("console.surveys"))
    return render_template(
        "console/surveys.html", rows=survey_overview(), form=form, problems=problems
    ), 400


@role_required("evaluator")
def versions(key):
    """A survey's definition versions (number, date, source, hash), upload and open/close."""
    survey = survey_or_404(key)
    return _versions_page(survey, UploadForm())


@role_required("evaluator")
def upload_version(key):
    """Load a new definition version of this survey from an uploaded YAML file."""
    survey = survey_or_404(key)
    form = UploadForm()
    problems = _upload(form, survey=survey)
    if problems is None:
        return redirect(url_for("console.versions", key=survey.key))
    return _versions_page(survey, form, problems), 400


@role_required("evaluator")
def change_status(key):
    """Publish, close or reopen the survey (the page's buttons ask for confirmation first)."""
    survey = survey_or_404(key)
    form = StatusForm()
    if not form.validate_on_submit() or form.status.data not in ("open", "closed"):
        flash(_("The request was not understood; please try again."), "error")
        return redirect(url_for("console.versions", key=survey.key))
    try:
        changed = set_status(survey, form.status.data)
    except TransitionError as exc:
        flash(str(exc), "error")
        return redirect(url_for("console.versions", key=survey.key))
    if changed:
        db.session.commit()
        flash(
            _("The survey is now open for responses.")
            if survey.status == "open"
            else _("The survey is now closed: the public form no longer accepts responses."),
            "success",
        )
    return redirect(url_for("console.versions", key=survey.key))


def too_large(_error):
    """413 on a console form (an oversized upload): say so on the page it came from."""
    limit_kb = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // 1024
    flash(_("The file is too large: at most %(kb)d KB can be uploaded.", kb=limit_kb), "error")
    key = (request.view_args or {}).get("key")
    target = url_for("console.versions", key=key) if key else url_for("console.surveys")
    return redirect(target, 303)


def _upload(form, survey):
    """Store the uploaded file; None on success, else the list of problem lines to show."""
    if not form.validate_on_submit():
        return [_("Choose a YAML file to upload.")]
    upload = form.definition.data
    try:
        version, created = upload_definition(
            upload.read(), upload.filename, current_user, survey=survey
        )
    except DefinitionError as exc:
        db.session.rollback()
        return str(exc).splitlines()
    db.session.commit()
    if created:
        flash(
            _("%(key)s: loaded as version %(n)d.", key=version.survey.key, n=version.number),
            "success",
        )
    else:
        flash(
            _("%(key)s: unchanged, still version %(n)d.", key=version.survey.key, n=version.number),
            "info",
        )
    return None


def _versions_page(survey, form, problems=None):
    return render_template(
        "console/versions.html",
        survey=survey,
        versions=list(reversed(survey.versions)),
        form=form,
        status_form=StatusForm(),
        problems=problems,
    )
