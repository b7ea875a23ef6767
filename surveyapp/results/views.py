"""Results views (thin): the results page, charts, reports, exports and settings."""

import json

import yaml
from flask import Response
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import stream_with_context
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from ..access import role_required
from ..definitions.plan import plan_for
from ..definitions.qtypes import question_type
from ..definitions.store import definition_of
from ..exports import services as export_services
from ..exports import writers
from ..extensions import db
from ..i18n import text_in
from . import charts
from . import report as report_service
from . import settings as settings_service
from . import texts
from .compute import compute_results
from .forms import SettingsForm
from .services import all_surveys
from .services import full_results
from .services import page_context
from .services import survey_or_404


def _lang():
    return "en" if str(get_locale()).startswith("en") else "zh"


@role_required("viewer")
def index():
    """The surveys whose results can be opened."""
    return render_template("results/index.html", surveys=all_surveys())


@role_required("viewer")
def results_page(key):
    """Weighted estimates with intervals, indicator points, evaluations, sentences and charts."""
    survey = survey_or_404(key)
    context = page_context(
        survey, _lang(), request.args.get("q") or None, request.args.get("by") or None
    )
    return render_template(
        "results/results.html",
        survey=survey,
        lang=_lang(),
        chart_title=charts.chart_title,
        can_export=current_user.has_role("evaluator"),
        **context,
    )


@role_required("viewer")
def chart(key, name, fmt):
    """One chart as SVG or PNG."""
    if name not in charts.CHARTS or fmt not in ("svg", "png"):
        abort(404)
    survey = survey_or_404(key)
    # The page's own computation (cached per settings and data state): no recomputation.
    results = compute_results(survey)
    if name not in charts.available(results):
        abort(404)
    body = charts.render(results, name, fmt, _lang())
    mimetype = "image/svg+xml" if fmt == "svg" else "image/png"
    return Response(body, mimetype=mimetype, headers={"Cache-Control": "private, max-age=60"})


@role_required("evaluator")
def report(key, fmt):
    """The survey report as DOCX, or Markdown with its figures in a ZIP (audited as an export)."""
    if fmt not in ("docx", "md"):
        abort(404)
    survey = survey_or_404(key)
    body, mimetype, name = report_service.render(survey, fmt)
    export_services.record_export(survey, "report", fmt)
    db.session.commit()
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={name}"}
    )


@role_required("evaluator")
def export(key):
    """Download the responses in one format (streamed; audited ``export``).

    ``labels=1`` writes choice labels; ``include_test=1`` adds the staff test answers given in
    preview (status ``test``), left out by default as in ``flask survey export``.
    """
    survey = survey_or_404(key)
    fmt = request.args.get("format", "csv")
    if fmt not in writers.FORMATS:
        abort(404)
    labels = request.args.get("labels") == "1"
    include_test = request.args.get("include_test") == "1"
    columns, rows = export_services.response_export(
        survey, labels=labels, lang=_lang(), fmt=fmt, include_test=include_test
    )
    export_services.record_export(survey, "responses", fmt, labels, include_test=include_test)
    db.session.commit()
    headers = {"Content-Disposition": f"attachment; filename={key}-responses.{fmt}"}
    if fmt == "csv":
        body = stream_with_context(s.encode("utf-8") for s in writers.csv_chunks(columns, rows))
    elif fmt in ("json", "jsonl"):
        body = stream_with_context(
            s.encode("utf-8") for s in writers.json_chunks(columns, rows, fmt == "jsonl")
        )
    else:
        path = writers.temporary_path("." + fmt)
        writers.write(fmt, columns, rows, path)
        body = writers.file_chunks(path)
    return Response(body, mimetype=writers.MIMETYPES[fmt], headers=headers)


@role_required("evaluator")
def estimates(key, fmt):
    """The estimates table as CSV, XLSX or JSON (audited)."""
    if fmt not in ("csv", "xlsx", "json"):
        abort(404)
    survey = survey_or_404(key)
    results = full_results(survey)
    export_services.record_export(survey, "estimates", fmt)
    db.session.commit()
    path = writers.temporary_path("." + fmt)
    export_services.export_estimates_to(results, fmt, path)
    return Response(
        writers.file_chunks(path),
        mimetype=writers.MIMETYPES[fmt],
        headers={"Content-Disposition": f"attachment; filename={key}-estimates.{fmt}"},
    )


@role_required("evaluator")
def text_answers(key, question):
    """A question's free-text answers: searchable, paginated, for evaluators only."""
    survey = survey_or_404(key)
    definition = definition_of(survey.latest_version)
    q = definition.question(question)
    if q is None or question_type(q.type).summary != "text":
        abort(404)
    page = texts.text_answers(
        survey, question, request.args.get("search", ""), request.args.get("page", 1, type=int)
    )
    return render_template("results/texts.html", survey=survey, question=q, page=page, lang=_lang())


def _margins_csv(margins):
    return "variable,code,count\n" + "\n".join(
        f"{var},{code},{count:g}" for var, cells in margins.items() for code, count in cells.items()
    )


def _weighting_choices(form, survey):
    """The post-stratification variables on offer: the plan's weighting variables."""
    plan = plan_for(definition_of(survey.latest_version))
    form.poststratify_variable.choices = [
        (key, text_in(plan.question(key).label_for_report(), _lang())) for key in plan.weighting
    ]


def _fill(form, settings):
    form.weighting.data = settings["weighting"]
    form.poststratify_variable.data = settings["poststratify_variable"]
    form.margins.data = _margins_csv(settings["margins"])
    form.ci_method.data = settings["ci_method"]
    form.ci_level.data = settings["ci_level"]
    form.scoring.data = settings["scoring"]
    form.score_table.data = ",".join(f"{k}:{v:g}" for k, v in settings["score_table"].items())
    form.rubric.data = yaml.safe_dump(settings["rubric"], allow_unicode=True, sort_keys=False)
    comparison = settings.get("comparison") or {}
    form.comparison_by.data = comparison.get("by", "none")
    form.wave_a.data = ",".join(map(str, comparison.get("a", [])))
    form.wave_b.data = ",".join(map(str, comparison.get("b", [])))


def _changes(form):
    """Settings from the submitted form; raises SettingsError with a readable message."""
    upload = form.margins_file.data
    text = (
        upload.read().decode("utf-8-sig")
        if upload and getattr(upload, "filename", "")
        else form.margins.data
    )
    return {
        "weighting": form.weighting.data,
        "poststratify_variable": form.poststratify_variable.data,
        "margins": settings_service.parse_margins_csv(text or ""),
        "ci_method": form.ci_method.data,
        "ci_level": float(form.ci_level.data),
        "scoring": form.scoring.data,
        "score_table": settings_service.parse_score_table(form.score_table.data or ""),
        "rubric": settings_service.parse_rubric(form.rubric.data or ""),
        "comparison": {
            "by": form.comparison_by.data,
            "a": [s.strip() for s in (form.wave_a.data or "").split(",")],
            "b": [s.strip() for s in (form.wave_b.data or "").split(",")],
        },
    }


@role_required("evaluator")
def settings_page(key):
    """Edit the analysis settings; each save is a new audited version."""
    survey = survey_or_404(key)
    version, settings = settings_service.current(survey)
    form = SettingsForm()
    _weighting_choices(form, survey)
    if request.method == "GET":
        _fill(form, settings)
    error = None
    if form.validate_on_submit():
        try:
            row = settings_service.save(survey, _changes(form), current_user)
        except settings_service.SettingsError as exc:
            db.session.rollback()
            error = str(exc)
        else:
            db.session.commit()
            flash(_("Analysis settings saved as version %(n)s.", n=row.number), "success")
            return redirect(url_for("results.survey", key=key))
    return render_template(
        "results/settings.html",
        survey=survey,
        form=form,
        version=version,
        error=error,
        settings_json=json.dumps(settings, ensure_ascii=False),
    )
