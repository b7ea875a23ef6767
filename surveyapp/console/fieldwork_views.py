"""Fieldwork pages: the dashboard, invitation tokens (with CSV export) and quotas."""

import csv
import io

from flask import Response as HttpResponse
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _

from .. import audit
from ..access import role_required
from ..definitions.store import definition_of
from ..extensions import db
from ..spreadsheet import csv_row
from . import charts
from . import dashboard as dashboard_service
from .distribution import public_url
from .fieldwork import default_quota_question
from .fieldwork import generate_invitations
from .fieldwork import invitation_counts
from .fieldwork import invitations_of
from .fieldwork import quota_progress
from .fieldwork import quota_questions
from .fieldwork import set_quotas
from .fieldwork import set_requires_token
from .forms import InvitationForm
from .forms import TokenSettingForm
from .forms import quota_form_for
from .views import survey_or_404


@role_required("viewer")
def dashboard(key):
    """Responses per day and channel, quota progress, completion rate and median time taken."""
    survey = survey_or_404(key)
    definition = definition_of(survey.latest_version)
    figures = dashboard_service.build(survey)
    question = default_quota_question(survey, definition)
    cells = quota_progress(survey, question) if question else []
    return render_template(
        "console/dashboard.html",
        survey=survey,
        definition=definition,
        figures=figures,
        quota_question=question,
        cells=cells,
        day_chart=charts.columns(figures.per_day),
        channel_chart=charts.bars([(ch, n) for ch, _starts, n in figures.per_channel]),
        quota_chart=charts.bars(
            [(charts.label_of(c["choice"]), c["count"]) for c in cells],
            targets=[c["target"] for c in cells],
        ),
    )


@role_required("evaluator")
def invitations(key):
    """Counts of tokens, the form to generate more, the CSV download and the token requirement."""
    survey = survey_or_404(key)
    return _invitations_page(survey, InvitationForm())


def _invitations_page(survey, form, status=200):
    total, used = invitation_counts(survey)
    return render_template(
        "console/invitations.html",
        survey=survey,
        total=total,
        used=used,
        form=form,
        setting_form=TokenSettingForm(requires_token=survey.requires_token),
    ), status


@role_required("evaluator")
def invitations_create(key):
    """Generate N new single-use tokens."""
    survey = survey_or_404(key)
    form = InvitationForm()
    if not form.validate_on_submit():
        return _invitations_page(survey, form, status=400)
    made = generate_invitations(survey, form.count.data)
    db.session.commit()
    flash(
        _(
            "%(n)d new invitation tokens were generated. Download the CSV to hand them out.",
            n=len(made),
        ),
        "success",
    )
    return redirect(url_for("console.invitations", key=survey.key))


@role_required("evaluator")
def invitations_setting(key):
    """Require (or stop requiring) an invitation token on the public form."""
    survey = survey_or_404(key)
    form = TokenSettingForm()
    if not form.validate_on_submit():
        abort(400)
    if set_requires_token(survey, bool(form.requires_token.data)):
        db.session.commit()
        flash(
            _("Only invited respondents can answer now.")
            if survey.requires_token
            else _("Anyone with the link can answer now."),
            "success",
        )
    return redirect(url_for("console.invitations", key=survey.key))


@role_required("evaluator")
def invitations_csv(key):
    """Every token as CSV (UTF-8 with BOM, for Excel): token, link, QR links, used at."""
    survey = survey_or_404(key)
    rows = invitations_of(survey)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["token", "link", "qr_svg", "qr_png", "used_at"])
    for inv in rows:
        writer.writerow(
            csv_row(
                [
                    inv.token,
                    public_url(survey.key, token=inv.token),
                    url_for("console.qr", key=survey.key, fmt="svg", t=inv.token, _external=True),
                    url_for("console.qr", key=survey.key, fmt="png", t=inv.token, _external=True),
                    inv.used_at.isoformat(sep=" ", timespec="seconds") + " UTC"
                    if inv.used_at
                    else "",
                ]
            )
        )
    audit.record("invitation.export", survey_id=survey.id, count=len(rows))
    db.session.commit()
    response = HttpResponse(out.getvalue().encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{survey.key}-invitations.csv"'
    return response


@role_required("evaluator")
def quotas(key):
    """Targets per code of a demographic question (district by default) and the enforcement."""
    survey = survey_or_404(key)
    definition = definition_of(survey.latest_version)
    choices = quota_questions(definition)
    if not choices:
        return render_template("console/quotas.html", survey=survey, questions=[], question=None)
    wanted = request.values.get("question")
    question = next((q for q in choices if q.key == wanted), None) or default_quota_question(
        survey, definition
    )
    cells = quota_progress(survey, question)
    form = quota_form_for(question, {c["code"]: c["target"] for c in cells}, survey.quota_enforced)
    if request.method == "POST":
        if form.validate_on_submit():
            targets = {c.code: getattr(form, f"target_{c.code}").data for c in question.choices}
            set_quotas(survey, question, targets, form.quota_enforced.data)
            db.session.commit()
            flash(_("Quotas saved."), "success")
            return redirect(url_for("console.quotas", key=survey.key, question=question.key))
        status = 400
    else:
        status = 200
    rows = [(c, getattr(form, f"target_{c['code']}")) for c in cells]
    return render_template(
        "console/quotas.html",
        survey=survey,
        questions=choices,
        question=question,
        form=form,
        rows=rows,
        label_of=charts.label_of,
    ), status
