"""THE computation of a survey's results: one typed :class:`~.model.Results` for every reader.

:func:`compute_results` loads the valid responses once, weights them, summarises every question
as its type declares, adds the plan's headline figures by domain, the domain and wave
comparisons and the rubric's indicator points. Results are cached per survey, settings and data
state, so a page view and its chart images share one computation.
"""

import hashlib
import itertools
import json
import math
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select

import analysis
from analysis import Design
from analysis import SurveyError

from .. import __version__
from ..definitions.plan import plan_for
from ..definitions.store import definition_of
from ..extensions import db
from ..models import Response
from ..models import Survey
from . import settings as settings_service
from .data import load_frame
from .data import text_column
from .model import Difference
from .model import Results
from .model import Weighting
from .rubric import requested_shares
from .rubric import score_indicators
from .summaries import Collector
from .summaries import Context
from .summaries import derive_columns
from .summaries import share_column
from .summaries import summarise
from .waves import wave_comparison

CHANNEL = "channel"
CACHE_SIZE = 4
_CACHE = OrderedDict()


@dataclass(frozen=True)
class Computed:
    """A cached computation: the results and the design they came from (for crosstabs)."""

    results: Results
    design: object
    collector_level: float
    method: str


def weighting_column(var):
    """The string-coded copy of a weighting variable that margins are matched against."""
    return f"__w__{var}"


def _headline_shares(plan, settings):
    shares = [(h.question, h.codes) for h in plan.headlines]
    shares += requested_shares(settings.get("rubric"), plan)
    return list(dict.fromkeys(shares))


def prepare_frame(frame, plan, settings):
    """The frame with weighting copies of the margin variables and the derived columns."""
    frame = derive_columns(frame, plan, _headline_shares(plan, settings))
    extra = {}
    for var in settings.get("margins") or {}:
        if var in frame:
            extra[weighting_column(var)] = _code_strings(frame[var].to_numpy())
    if extra:
        import pandas as pd

        frame = pd.concat([frame, pd.DataFrame(extra, index=frame.index)], axis=1)
    return frame


def _code_strings(col):
    """Float codes as strings (``"11"``), None where missing: what margins are keyed by."""
    out = np.full(len(col), None, dtype=object)
    ok = ~np.isnan(col)
    unique, inverse = np.unique(col[ok].astype(np.int64), return_inverse=True)
    out[ok] = np.array([str(u) for u in unique], dtype=object)[inverse]
    return out


def build_design(frame, settings, plan=None):
    """``(design, Weighting)``: the calibrated design, or the unweighted one and the error."""
    requested = settings["weighting"]
    if len(frame) < 2:
        return None, Weighting(requested=requested, method="none")
    design = Design(frame)
    if requested == "none":
        return design, Weighting(requested=requested, method="none")
    margins = settings.get("margins") or {}
    variables = tuple(margins) if requested == "rake" else (settings.get("poststratify_variable"),)
    try:
        missing = [v for v in variables if weighting_column(v) not in frame]
        if missing:
            raise SurveyError(
                f"the margins name {', '.join(map(repr, missing))}, which the survey does not "
                "have as a question"
            )
        if requested == "rake":
            design = analysis.rake(design, {weighting_column(v): margins[v] for v in variables})
        else:
            var = variables[0]
            design = analysis.poststratify(design, weighting_column(var), margins[var])
    except (SurveyError, KeyError) as exc:
        message = str(exc).replace("__w__", "")
        return Design(frame), Weighting(
            requested=requested, method="none", variables=variables, error=message
        )
    report = design.weighting_report.to_dict()
    for part in ("targets", "achieved"):
        if part in report:
            report[part] = {
                k.replace("__w__", "", 1): {str(c): v for c, v in cells.items()}
                for k, cells in report[part].items()
            }
    return design, Weighting(
        requested=requested, method=requested, variables=variables, report=report
    )


def _headlines(ctx, plan, by):
    """The plan's headline figures (index, overall item, headline shares), whole or by domain."""
    index_set = None
    if plan.index is not None:
        index_set, _ = ctx.index(plan.index.key, plan.index.items, by)
    overall_set = None
    if plan.overall is not None:
        ctx.likert(plan.overall, by, ("top2",))
        overall_set = ctx.score(plan.overall, by)
        ctx.out.add(plan.overall, "score", overall_set, (), by)
    for h in plan.headlines:
        ctx.code_share(h.question, h.codes, by)
    return index_set, overall_set


def _difference(diff, level):
    low, high = diff.ci(level)
    p = diff.p_value
    return low, high, p, bool(not math.isnan(p) and p < 1 - level)


def domain_differences(sets, plan, by, level):
    """Pairwise differences (first minus second) between the domains of ``by``."""
    rows = []
    index_set, overall_set = sets
    for name, est_set in (
        (plan.index.key if plan.index else None, index_set),
        (plan.overall, overall_set),
    ):
        if est_set is None or est_set.covariance is None or len(est_set) < 2:
            continue
        statistic = "index" if plan.index is not None and name == plan.index.key else "score"
        for a, b in itertools.combinations(list(est_set), 2):
            diff = analysis.domain_difference(est_set, a.domain, b.domain)
            low, high, p, significant = _difference(diff, level)
            rows.append(
                Difference(
                    question=name,
                    statistic=statistic,
                    variable=by,
                    a=_value(a.domain),
                    b=_value(b.domain),
                    estimate_a=_num(a.estimate),
                    estimate_b=_num(b.estimate),
                    ci_a=tuple(map(_num, a.ci(level))),
                    ci_b=tuple(map(_num, b.ci(level))),
                    difference=_num(diff.estimate),
                    se=_num(diff.se),
                    ci_low=_num(low),
                    ci_high=_num(high),
                    p_value=_num(p),
                    significant=significant,
                )
            )
        break  # the index when there is one, else the overall item's score
    return rows


def _value(v):
    return str(int(v)) if isinstance(v, (float, np.floating)) and float(v).is_integer() else str(v)


def _num(x):
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else x


def estimate_everything(design, plan, settings, text_counts, frame):
    """All figures, summaries and domain differences on one design."""
    level = float(settings["ci_level"])
    collector = Collector(level, settings["ci_method"])
    table = settings["score_table"] if settings.get("scoring") == "table" else None
    ctx = Context(design, plan, collector, table)
    ctx.prefetch_distributions()
    summaries = [
        summarise(ctx, q, text_counts)
        for q in plan.definition.questions
        if plan.qtype(q.key).stores_answers
    ]
    differences = []
    if design is not None:
        _headlines(ctx, plan, None)
        # Shares a rubric names beyond the headline ones (whole sample).
        for question, codes in requested_shares(settings.get("rubric"), plan):
            if share_column(question, codes) in frame:
                ctx.code_share(question, codes)
        for by in (*plan.domains, CHANNEL):
            if by not in frame or frame[by].isna().all():
                continue
            sets = _headlines(ctx, plan, by)
            if by != CHANNEL:
                differences += domain_differences(sets, plan, by, level)
    figures = list(dict((f.key, f) for f in collector.figures).values())
    return figures, summaries, differences


def text_answer_counts(frame, plan):
    """``{question key: non-empty text answers}`` among the frame's (valid) responses."""
    return {
        q.key: int(np.count_nonzero(frame[text_column(q.key)].to_numpy() == 1))
        for q in plan.definition.questions
        if plan.qtype(q.key).summary == "text" and text_column(q.key) in frame
    }


def fieldwork(survey, definition, frame):
    """Fieldwork facts for the methods paragraph: dates (survey time zone), channels, exclusions.

    ``frame`` holds the valid responses (their channels); the dates and the exclusions are read
    by index: the first and last submission of any status, the reasons of the others.
    """
    from zoneinfo import ZoneInfo

    mine = Response.survey_id == survey.id
    # Apart, each is one step along ix_responses_survey_id_submitted_at (together, a scan).
    first = db.session.scalar(select(func.min(Response.submitted_at)).where(mine))
    last = db.session.scalar(select(func.max(Response.submitted_at)).where(mine))
    channels = frame["channel"].value_counts(sort=False).to_dict()
    excluded = db.session.execute(
        select(Response.status_reason, func.count())
        # Two ranges of ix_responses_survey_status_duration, not a scan of the survey's rows.
        .where(mine, or_(Response.status < "valid", Response.status > "valid"))
        .group_by(Response.status_reason)
    ).all()
    zone = ZoneInfo(definition.timezone)

    def local(ts):
        from datetime import UTC

        return ts.replace(tzinfo=UTC).astimezone(zone).date().isoformat() if ts else None

    return {
        "first": local(first),
        "last": local(last),
        "timezone": definition.timezone,
        "channels": {k: int(v) for k, v in sorted(channels.items())},
        "excluded": [{"reason": r or "", "n": int(n)} for r, n in excluded],
        "n_excluded": int(sum(n for _, n in excluded)),
    }


def provenance(survey, frame, settings_version):
    """What is needed to reproduce a figure: versions, response id hash, settings, software."""
    ids = np.sort(frame["response_id"].to_numpy())
    digest = hashlib.sha256(",".join(map(str, ids.tolist())).encode()).hexdigest()
    numbers = {v.id: v.number for v in survey.versions}
    used = sorted({numbers.get(int(v), 0) for v in frame["version_id"].unique()})
    return {
        "survey_versions": used,
        "n_responses": int(len(ids)),
        "response_ids_sha256": digest,
        "settings_version": settings_version,
        "software": f"surveyapp {__version__}",
    }


def data_state(survey):
    """``(created, version)`` of the survey's data, read by primary key on each page view.

    The version is bumped with every change to the survey's responses or answers
    (:func:`~surveyapp.models.bump_data_version`); the survey's creation time tells apart a
    survey made again under the same id in a database made again (a reset, tests), whose
    counter starts again.
    """
    created, version = db.session.execute(
        select(Survey.created_at, Survey.data_version).where(Survey.id == survey.id)
    ).one()
    return (created.isoformat(), int(version))


def _cache_key(survey, settings, settings_version):
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest()
    database = db.engine.url.render_as_string(hide_password=True)
    return (
        database,
        survey.id,
        survey.latest_version.id,
        settings_version,
        digest,
        data_state(survey),
    )


def computed(survey, settings=None, settings_version=None):
    """The cached :class:`Computed` for the survey's current (or given) settings and data."""
    if settings is None:
        settings_version, settings = settings_service.current(survey)
    key = _cache_key(survey, settings, settings_version)
    hit = _CACHE.get(key)
    if hit is not None:
        _CACHE.move_to_end(key)
        return hit
    result = _compute(survey, settings, settings_version, key[-1])
    _CACHE[key] = result
    while len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return result


def clear_cache():
    """Forget every cached computation (tests, after bulk changes)."""
    _CACHE.clear()


def compute_results(survey, settings=None, settings_version=None):
    """The complete :class:`~.model.Results` of a survey's valid responses (cached)."""
    return computed(survey, settings, settings_version).results


def _compute(survey, settings, settings_version, state):
    definition = definition_of(survey.latest_version)
    plan = plan_for(definition)
    frame = prepare_frame(load_frame(survey, definition=definition, texts=True), plan, settings)
    design, weighting = build_design(frame, settings, plan)
    text_counts = text_answer_counts(frame, plan)
    figures, summaries, differences = estimate_everything(
        design, plan, settings, text_counts, frame
    )
    by_key = {f.key: f for f in figures}
    weights = np.asarray(design.weights) if design is not None else np.zeros(0)
    results = Results(
        survey_key=survey.key,
        title=dict(definition.title),
        definition=definition,
        plan=plan,
        settings=settings,
        settings_version=settings_version,
        n=int(len(frame)),
        figures=tuple(by_key.values()),
        summaries=tuple(summaries),
        weighting=weighting,
        domain_differences=tuple(differences),
        waves=wave_comparison(survey, definition, plan, settings),
        text_counts=text_counts,
        fieldwork=fieldwork(survey, definition, frame),
        provenance=provenance(survey, frame, settings_version),
        weights_sum=float(weights.sum()) if len(weights) else None,
        fingerprint=state,
    )
    if design is not None:
        indicators = score_indicators(results.estimate, settings.get("rubric"), plan)
        results = _with_indicators(results, indicators)
    return Computed(results, design, float(settings["ci_level"]), settings["ci_method"])


def _with_indicators(results, indicators):
    from dataclasses import replace

    return replace(results, indicators=tuple(indicators))


def response_weights(survey, settings):
    """``{response_id: weight}`` of the valid responses under the settings (for exports)."""
    definition = definition_of(survey.latest_version)
    plan = plan_for(definition)
    only = set(settings["margins"]) if settings["weighting"] != "none" else set()
    frame = load_frame(survey, definition=definition, only=only)
    frame = prepare_frame(frame, plan, {**settings, "rubric": None})
    design, weighting = build_design(frame, settings, plan)
    if design is None or not weighting.weighted:
        return {} if design is None else dict.fromkeys(frame["response_id"].tolist(), 1.0)
    return dict(zip(frame["response_id"].tolist(), np.asarray(design.weights).tolist()))
