"""Evaluation views (thin): list, scorecard, counts, manual scores, texts, report download."""

import tempfile
from pathlib import Path

from flask import Response
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import audit
from ..access import role_required
from ..extensions import db
from . import services
from .forms import InputsForm
from .forms import TextsForm
from .report import write_report
from .schema import EvaluationError


def _or_404(key):
    evaluation = services.get_evaluation(key)
    if evaluation is None or evaluation.latest_version is None:
        abort(404)
    return evaluation


@role_required("viewer")
def index():
    """The stored evaluations."""
    return render_template("evaluation/index.html", evaluations=services.all_evaluations())


@role_required("viewer")
def detail(key):
    """The three-level score table with its checks and the version history."""
    evaluation = _or_404(key)
    card, problems = services.scorecard(evaluation)
    return render_template(
        "evaluation/detail.html", evaluation=evaluation, card=card, problems=problems
    )


def _saved(evaluation, version, created):
    if created:
        flash(_("Saved as version %(n)s.", n=version.number), "success")
    else:
        flash(_("Nothing changed."), "info")
    return redirect(url_for("evaluation.detail", key=evaluation.key))


@role_required("evaluator")
def counts(key):
    """Enter the counts the data indicators read, or import them from CSV."""
    evaluation = _or_404(key)
    definition = services.definition_of(evaluation)
    form = InputsForm()
    error = None
    if form.validate_on_submit():
        upload = form.counts_file.data
        try:
            if upload and getattr(upload, "filename", ""):
                values = services.parse_counts_csv(upload.read().decode("utf-8-sig"))
            else:
                # A count left out of the form keeps its value; an emptied field clears it.
                values = {
                    c.name: request.form[f"count-{c.name}"]
                    for c in definition.counts
                    if f"count-{c.name}" in request.form
                }
            version, created = services.set_counts(evaluation, values, current_user)
        except (EvaluationError, UnicodeDecodeError) as exc:
            db.session.rollback()
            error = "; ".join(getattr(exc, "problems", [_("the file is not UTF-8 text")]))
        else:
            db.session.commit()
            return _saved(evaluation, version, created)
    return render_template(
        "evaluation/counts.html",
        evaluation=evaluation,
        definition=definition,
        form=form,
        error=error,
    )


@role_required("evaluator")
def manual(key):
    """Enter the points of the manual indicators with their evidence and who scored them."""
    evaluation = _or_404(key)
    definition = services.definition_of(evaluation)
    leaves = [leaf for leaf in definition.leaves() if leaf.source == "manual"]
    form = InputsForm()
    error = None
    if form.validate_on_submit():
        entries = {
            leaf.id: (
                request.form[f"points-{leaf.id}"],
                request.form.get(f"evidence-{leaf.id}", ""),
                request.form.get(f"scored_by-{leaf.id}", ""),
            )
            for leaf in leaves
            if f"points-{leaf.id}" in request.form
        }
        try:
            version, created = services.set_manual(evaluation, entries, current_user)
        except EvaluationError as exc:
            db.session.rollback()
            error = "; ".join(exc.problems)
        else:
            db.session.commit()
            return _saved(evaluation, version, created)
    return render_template(
        "evaluation/manual.html",
        evaluation=evaluation,
        leaves=leaves,
        form=form,
        error=error,
        submitted=request.form if error else None,
    )


@role_required("evaluator")
def texts(key):
    """Write the report's 存在的问题 and 建议."""
    evaluation = _or_404(key)
    definition = services.definition_of(evaluation)
    form = TextsForm()
    if request.method == "GET":
        form.problems.data = definition.problems_text
        form.suggestions.data = definition.suggestions_text
    if form.validate_on_submit():
        version, created = services.set_texts(
            evaluation, form.problems.data or "", form.suggestions.data or "", current_user
        )
        db.session.commit()
        return _saved(evaluation, version, created)
    return render_template("evaluation/texts.html", evaluation=evaluation, form=form)


@role_required("evaluator")
def report(key, fmt):
    """The evaluation report as DOCX, or Markdown with its images as a ZIP (audited)."""
    if fmt not in ("docx", "zip"):
        abort(404)
    evaluation = _or_404(key)
    with tempfile.TemporaryDirectory() as tmp:
        if fmt == "docx":
            path = Path(tmp) / f"{key}.docx"
            write_report(evaluation, "docx", path)
            mimetype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        else:
            path = Path(tmp) / f"{key}-md.zip"
            write_report(evaluation, "zip", path)
            mimetype = "application/zip"
        body = path.read_bytes()
    audit.record("evaluation.report", evaluation=key, format=fmt)
    db.session.commit()
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f"attachment; filename={path.name}"},
    )
