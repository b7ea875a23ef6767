"""Survey pages: the list, definition versions, uploading a version, opening and closing."""

from flask import Response as HttpResponse
from flask import abort
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
from ..definitions import builtin_path
from ..definitions import load_file
from ..definitions.exporting import FORMATS as DEFINITION_FORMATS
from ..definitions.exporting import file_name as definition_file_name
from ..definitions.exporting import render_definition
from ..extensions import db
from .changes import change_label
from .forms import ConfirmVersionForm
from .forms import StatusForm
from .forms import UploadForm
from .surveys import TransitionError
from .surveys import check_key
from .surveys import decode_pending
from .surveys import encode_pending
from .surveys import pending_change
from .surveys import read_upload
from .surveys import set_status
from .surveys import store_definition
from .surveys import survey_overview


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

    def problems_page(problems):
        return render_template(
            "console/surveys.html", rows=survey_overview(), form=form, problems=problems
        ), 400

    return _upload(form, None, problems_page, url_for("console.surveys"))


@role_required("evaluator")
def versions(key):
    """A survey's definition versions (number, date, source, downloads), upload, status."""
    survey = survey_or_404(key)
    return _versions_page(survey, UploadForm())


@role_required("evaluator")
def upload_version(key):
    """Load a new definition version of this survey from an uploaded YAML or XLSForm file."""
    survey = survey_or_404(key)
    form = UploadForm()

    def problems_page(problems):
        return _versions_page(survey, form, problems), 400

    return _upload(form, survey, problems_page, url_for("console.versions", key=survey.key))


@role_required("evaluator")
def confirm_version(key):
    """Store the new version of a live survey whose changes its author has seen and confirmed."""
    survey = survey_or_404(key)
    form = ConfirmVersionForm()
    if not form.validate_on_submit():
        flash(_("The request was not understood; please upload the file again."), "error")
        return redirect(url_for("console.versions", key=survey.key))
    source = form.source.data
    try:
        definition = decode_pending(form.definition.data, source)
        check_key(definition, survey, source)
    except DefinitionError as exc:
        return _versions_page(survey, UploadForm(), _problem_lines(exc)), 400
    pending = pending_change(definition)
    if pending is None:  # nothing differs any more (or the survey went back to... nothing)
        return _store(definition, source, url_for("console.versions", key=survey.key))
    _survey, live, diff = pending
    if live.number != form.base.data:
        flash(
            _(
                "Another version was loaded meanwhile: these are the changes from version "
                "%(n)d, the live one now.",
                n=live.number,
            ),
            "error",
        )
        return _confirm_page(survey, live, diff, definition, source), 409
    if diff.breaking and not form.acknowledge.data:
        form.acknowledge.errors = [_("Tick the box to confirm these changes.")]
        return _confirm_page(survey, live, diff, definition, source, form), 400
    return _store(definition, source, url_for("console.versions", key=survey.key), diff)


@role_required("viewer")
def download_version(key, number, fmt):
    """One definition version as YAML, XLSForm or JSON."""
    survey = survey_or_404(key)
    version = next((v for v in survey.versions if v.number == number), None)
    if version is None or fmt not in DEFINITION_FORMATS:
        abort(404)
    data, mimetype, _suffix = render_definition(version, fmt)
    response = HttpResponse(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{definition_file_name(version, fmt)}"'
    )
    return response


@role_required("viewer")
def definition_template():
    """The shipped default survey as an XLSForm workbook: a template to write a survey in."""
    from ..definitions.xlsform_out import to_xlsform  # openpyxl: imported when needed

    key = current_app.config["DEFAULT_SURVEY"]
    response = HttpResponse(
        to_xlsform(load_file(builtin_path(key))), mimetype=DEFINITION_FORMATS["xlsform"][0]
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{key}-template.xlsx"'
    return response


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


def _problem_lines(exc):
    """One entry per problem, named by file (a YAML error keeps its lines and caret)."""
    return [f"{exc.source}: {problem}" for problem in exc.problems]


def _upload(form, survey, problems_page, done_url):
    """Read the uploaded file; store it, or show the changes to a live survey to confirm."""
    if not form.validate_on_submit():
        return problems_page([_("Choose a YAML or XLSForm file to upload.")])
    upload = form.definition.data
    try:
        definition, source = read_upload(upload.read(), upload.filename or "upload.yaml")
        check_key(definition, survey, source)
    except DefinitionError as exc:
        db.session.rollback()
        return problems_page(_problem_lines(exc))
    pending = pending_change(definition)
    if pending is not None:
        target, live, diff = pending
        return _confirm_page(target, live, diff, definition, source)
    return _store(definition, source, done_url)


def _store(definition, source, done_url, diff=None):
    version, created = store_definition(definition, source, current_user, diff)
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
    return redirect(done_url)


def _confirm_page(survey, live, diff, definition, source, form=None):
    # formdata=None: shown in answer to the upload's post, whose file field shares the name.
    form = form or ConfirmVersionForm(
        formdata=None, definition=encode_pending(definition), source=source, base=live.number
    )
    return render_template(
        "console/version_confirm.html",
        survey=survey,
        live=live,
        diff=diff,
        form=form,
        change_label=change_label,
        new_title=definition.title,
    )


def _versions_page(survey, form, problems=None):
    return render_template(
        "console/versions.html",
        survey=survey,
        versions=list(reversed(survey.versions)),
        form=form,
        status_form=StatusForm(),
        problems=problems,
    )
