"""Views: browse responses, show one, exclude or re-include, bulk-exclude flagged, refresh flags."""

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from ..access import role_required
from ..extensions import db
from ..i18n import text_in
from . import quality
from . import responses as service
from .filters import FIELDS
from .filters import Group
from .filters import parse_filter
from .forms import ActionForm
from .forms import BulkExcludeForm
from .forms import DeletionRequestForm
from .forms import StatusForm
from .views_common import newest_definition
from .views_common import page_number
from .views_common import survey_or_404


def group_choices(definition):
    """``[(question label, [(group arg, choice label)])]`` per demographic question, in the
    console language (empty without a definition)."""
    if definition is None:
        return []
    locale = get_locale()
    return [
        (
            text_in(q.label_for_report(), locale),
            [(Group(q.key, c.code).arg, text_in(c.label, locale)) for c in q.choices],
        )
        for q in definition.weighting_questions
    ]


@role_required("evaluator")
def responses(key):
    """The survey's responses, filtered and paginated, with counts by status and flag."""
    survey = survey_or_404(key)
    definition = newest_definition(survey)
    flt = parse_filter(request.args, definition, others=("page", "lang"))
    for error in flt.errors:
        flash(error, "error")
    rows, total, pages, page = service.page_of(survey.id, flt, page_number())
    deletion_form = DeletionRequestForm(formdata=None, data=flt.query_args())
    return render_template(
        "dataops/responses.html",
        survey=survey,
        rows=rows,
        total=total,
        pages=pages,
        page=page,
        flt=flt,
        args=flt.query_args(),
        page_url=lambda n: url_for("dataops.responses", key=key, page=n, **flt.query_args()),
        statuses=service.status_counts(survey.id),
        flags=quality.flag_counts(survey.id),
        kinds=quality.KINDS,
        groups=group_choices(definition),
        fields=FIELDS,
        bulk_form=BulkExcludeForm(formdata=None),
        action_form=ActionForm(formdata=None),
        deletion_form=deletion_form,
    )


@role_required("evaluator")
def response(key, response_id):
    """One response with its answers (labelled), flags and status form."""
    survey = survey_or_404(key)
    found = service.get_response(survey.id, response_id)
    if found is None:
        abort(404)
    return _render_response(survey, found, StatusForm(formdata=None))


def _render_response(survey, found, form, status=200):
    return (
        render_template(
            "dataops/response.html",
            survey=survey,
            response=found,
            answers=service.answer_rows(found, get_locale()),
            form=form,
        ),
        status,
    )


@role_required("evaluator")
def response_status(key, response_id):
    """Exclude or re-include one response; the reason is required."""
    survey = survey_or_404(key)
    found = service.get_response(survey.id, response_id)
    if found is None:
        abort(404)
    form = StatusForm()
    if not form.validate():
        return _render_response(survey, found, form, status=422)
    service.set_status(found, form.status.data, form.reason.data)
    db.session.commit()
    if form.status.data == "excluded":
        flash(_("Response %(id)d is excluded.", id=found.id), "success")
    else:
        flash(_("Response %(id)d is included again.", id=found.id), "success")
    return redirect(url_for("dataops.response", key=key, response_id=found.id), code=303)


@role_required("evaluator")
def exclude_flagged(key):
    """Exclude every valid response carrying a flag (speeders by default) with one reason,
    after a confirmation page that says how many."""
    survey = survey_or_404(key)
    form = BulkExcludeForm()
    if not form.validate():
        flash(_("Please write the reason for excluding them."), "error")
        return redirect(url_for("dataops.responses", key=key), code=303)
    if form.confirmed.data != "yes":
        # Nothing changes before the evaluator has seen how many responses this excludes.
        form.confirmed.data = "yes"
        return render_template(
            "dataops/confirm_exclude.html",
            survey=survey,
            form=form,
            count=len(service.flagged_valid_ids(survey.id, form.flag.data)),
        )
    ids = service.exclude_flagged(survey.id, form.flag.data, form.reason.data)
    db.session.commit()
    flash(_("%(count)d responses excluded.", count=len(ids)), "success")
    return redirect(url_for("dataops.responses", key=key, flag=form.flag.data), code=303)


@role_required("evaluator")
def refresh_flags(key):
    """Recompute the speeder flags of the survey (the median moves as responses arrive)."""
    survey = survey_or_404(key)
    if not ActionForm().validate():
        abort(400)
    flagged = quality.refresh_speeder_flags(survey)
    db.session.commit()
    flash(_("Speeder flags recomputed: %(count)d responses flagged.", count=flagged), "success")
    return redirect(url_for("dataops.responses", key=key), code=303)
