"""THE computation of a survey's results: one plain-data object for the page, CLI, API and reports.

Every number shown anywhere comes from :func:`compute_results`; the statistics themselves are
done by the :mod:`analysis` library (design, raking, shares, scores, index, differences).
"""

import hashlib
import itertools
import math
from datetime import datetime

import numpy as np
from sqlalchemy import func
from sqlalchemy import select

import analysis
from analysis import Design
from analysis import SurveyError

from .. import __version__
from ..definitions.store import definition_of
from ..extensions import db
from ..models import Response
from ..models import SurveyVersion
from . import settings as settings_service
from .data import load_frame
from .rubric import score_indicators

LIKERT = [1, 2, 3, 4, 5]
DOMAINS = (None, "district", "channel")
IMPROVED = "4-5"
AWARE = "1-3"


def _num(x):
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else x


def _satisfaction_keys(definition):
    """(Likert group item keys, overall key) of the satisfaction block, by convention of the survey."""
    items = [k for q in definition.questions if q.type == "likert_group" for k in q.answer_keys]
    overall = "sat_overall" if "sat_overall" in definition.answer_keys else None
    return items, overall


def prepare_frame(frame):
    """Derived analysis columns: string codes for domains, 0/1 indicators for the rubric shares."""
    frame = frame.copy()
    for var in ("district", "age_group", "gender"):
        if var in frame:
            frame[var] = frame[var].map(lambda v: None if np.isnan(v) else str(int(v)))
    if "awareness" in frame:
        a = frame["awareness"]
        frame["aware_any"] = np.where(a.isna(), np.nan, a.isin([1, 2, 3]).astype(float))
    if "env_improved" in frame:
        e = frame["env_improved"]
        frame["env_improved_any"] = np.where(e.isin(LIKERT), e.isin([4, 5]).astype(float), np.nan)
    return frame


def build_design(frame, settings):
    """The (possibly calibrated) design and a weighting report dict (no design without rows)."""
    method = settings["weighting"]
    report = {"method": method, "error": None}
    if len(frame) < 2:
        return None, {"method": "none", "error": None}
    design = Design(frame)
    if method == "none":
        return design, report
    margins = {var: cells for var, cells in settings["margins"].items() if var in frame}
    try:
        if method == "rake":
            design = analysis.rake(design, margins)
        else:
            var = settings["poststratify_variable"]
            design = analysis.poststratify(design, var, margins[var])
    except (SurveyError, KeyError) as exc:
        report["error"] = str(exc)
        report["method"] = "none"
        return Design(frame), report
    report.update(design.weighting_report.to_dict())
    return design, report


class ResultBuilder:
    """Collects estimates as plain dicts in the JSON shape of ``survey analyze --json``."""

    def __init__(self, settings):
        self.level = float(settings["ci_level"])
        self.method = settings["ci_method"]
        self.estimates = []

    def add(self, question, kind, est, category=None, domain_var=None):
        """Append one :class:`analysis.Estimate` (share intervals use the settings' method)."""
        share = est.kind == "proportion"
        method = self.method if share else "t"
        low, high = est.ci(self.level, self.method if share else None)
        domain = None if domain_var is None else {domain_var: str(est.domain)}
        row = {
            "question": question,
            "category": category,
            "domain": domain,
            "kind": kind,
            "estimate": _num(est.estimate),
            "se": _num(est.se),
            "ci": [_num(low), _num(high)],
            "method": method,
            "level": self.level,
            "n": int(est.n),
            "n_eff": _num(est.n_eff),
            "deff": _num(est.deff),
        }
        self.estimates.append(row)
        return row

    def add_table(self, question, kind, table, domain_var, category=None, only=None):
        """Append rows of an :func:`analysis.describe_items` table."""
        for r in table.itertuples(index=False):
            if only is not None and r.category != only:
                continue
            cat = category or str(int(r.category))
            domain = None if domain_var is None else {domain_var: str(r.domain)}
            self.estimates.append(
                {
                    "question": question,
                    "category": cat,
                    "domain": domain,
                    "kind": kind,
                    "estimate": _num(r.estimate),
                    "se": _num(r.se),
                    "ci": [_num(r.ci_low), _num(r.ci_high)],
                    "method": self.method,
                    "level": self.level,
                    "n": int(r.n),
                    "n_eff": _num(r.n_eff),
                    "deff": _num(r.deff),
                }
            )


def _iter(result):
    return [result] if isinstance(result, analysis.Estimate) else list(result)


def estimate_all(design, definition, settings, builder):
    """Every published estimate for the whole sample and each domain; returns index sets by domain."""
    items, overall = _satisfaction_keys(definition)
    table = settings["score_table"] if settings["scoring"] == "table" else None
    index_sets = {}
    for by in DOMAINS:
        if by not in (None, "channel") and by not in definition.answer_keys:
            continue
        if "awareness" in definition.answer_keys:
            builder.add_table(
                "awareness",
                "share",
                analysis.describe_items(
                    design,
                    ["awareness"],
                    by=by,
                    level=builder.level,
                    method=builder.method,
                    levels={"awareness": [1, 2, 3, 4]},
                ),
                by,
            )
            _add_binary_share(builder, design, "awareness", "share", "aware_any", AWARE, by)
        for key in items + ([overall] if overall else []):
            for est in _iter(analysis.satisfaction_rate(design, key, levels=LIKERT, top=2, by=by)):
                builder.add(key, "rate", est, IMPROVED, by)
            scored = analysis.score(design, key, levels=LIKERT, table=table, by=by)
            if key == overall:
                index_sets[("overall", by)] = scored
            for est in _iter(scored):
                builder.add(key, "score", est, None, by)
        if items:
            idx = analysis.dimension_index(
                design, items, levels=LIKERT, table=table, by=by, name="index"
            )
            index_sets[("index", by)] = idx
            for est in _iter(idx):
                builder.add("index", "index", est, None, by)
        if "env_improved" in definition.answer_keys:
            _add_binary_share(
                builder, design, "env_improved", "improved", "env_improved_any", IMPROVED, by
            )
            for est in _iter(
                analysis.score(design, "env_improved", levels=LIKERT, table=table, by=by)
            ):
                builder.add("env_improved", "score", est, None, by)
    return index_sets


def _difference_row(diff, label, level):
    low, high = diff.ci(level)
    return {
        "comparison": label,
        "estimate": _num(diff.estimate),
        "se": _num(diff.se),
        "ci": [_num(low), _num(high)],
        "p_value": _num(diff.p_value),
        "significant": bool(diff.p_value < 1 - level) if not math.isnan(diff.p_value) else False,
    }


def district_differences(index_sets, level):
    """Pairwise differences between districts (linearised covariance of the domain estimates).

    The composite index is compared when the analysis library gives its domain covariance;
    otherwise the overall satisfaction score (0-100), whose domain covariance it always gives.
    """
    for name, question in (("index", "index"), ("overall", "sat_overall")):  # noqa: B007
        sets = index_sets.get((name, "district"))
        if sets is not None and sets.covariance is not None and len(sets) >= 2:
            break
    else:
        return []
    rows = []
    for a, b in itertools.combinations([e.domain for e in sets], 2):
        diff = analysis.domain_difference(sets, a, b)
        rows.append(
            _difference_row(
                diff, {"question": question, "domain": "district", "a": str(a), "b": str(b)}, level
            )
        )
    return rows


def _wave_condition(survey, spec, by):
    if by == "dates":
        start, end = (datetime.fromisoformat(s) for s in spec)
        return [Response.submitted_at >= start, Response.submitted_at < end]
    numbers = [int(x) for x in spec if str(x).strip()]
    version_ids = select(SurveyVersion.id).where(
        SurveyVersion.survey_id == survey.id, SurveyVersion.number.in_(numbers)
    )
    return [Response.version_id.in_(version_ids)]


def wave_differences(survey, definition, settings):
    """Wave B minus wave A for the headline estimates (independent samples, Welch df)."""
    comparison = settings.get("comparison") or {}
    by = comparison.get("by", "none")
    if by not in ("dates", "versions"):
        return {"by": "none", "rows": []}
    try:
        designs = []
        for wave in ("a", "b"):
            frame = prepare_frame(
                load_frame(
                    survey,
                    definition=definition,
                    where=_wave_condition(survey, comparison[wave], by),
                )
            )
            if len(frame) < 2:
                return {
                    "by": by,
                    "rows": [],
                    "error": f"wave {wave.upper()} has fewer than 2 responses",
                }
            designs.append((build_design(frame, settings)[0], len(frame)))
    except (ValueError, KeyError, TypeError) as exc:
        return {"by": by, "rows": [], "error": f"cannot read the waves: {exc}"}
    items, overall = _satisfaction_keys(definition)
    table = settings["score_table"] if settings["scoring"] == "table" else None
    level = float(settings["ci_level"])
    rows = []

    def headline(design):
        out = {}
        if items:
            out["index"] = analysis.dimension_index(design, items, levels=LIKERT, table=table)
        if overall:
            out[overall] = analysis.satisfaction_rate(design, overall, levels=LIKERT, top=2)
        out["awareness"] = analysis.proportion(design, "aware_any", levels=[0, 1])[1]
        return out

    try:
        (da, na), (db_, nb) = designs
        ha, hb = headline(da), headline(db_)
        for key in ha:
            row = _difference_row(analysis.difference(hb[key], ha[key]), {"question": key}, level)
            row.update(a=_num(ha[key].estimate), b=_num(hb[key].estimate))
            rows.append(row)
    except SurveyError as exc:
        return {"by": by, "rows": [], "error": str(exc)}
    return {
        "by": by,
        "a": comparison["a"],
        "b": comparison["b"],
        "n_a": na,
        "n_b": nb,
        "rows": rows,
    }


def fieldwork(survey):
    """Fieldwork facts for the methods paragraph: dates, channels, counts, exclusions."""
    base = select(Response).where(Response.survey_id == survey.id).subquery()
    first, last = db.session.execute(
        select(func.min(base.c.submitted_at), func.max(base.c.submitted_at))
    ).one()
    channels = dict(
        db.session.execute(
            select(base.c.channel, func.count())
            .where(base.c.status == "valid")
            .group_by(base.c.channel)
        ).all()
    )
    excluded = db.session.execute(
        select(base.c.status_reason, func.count())
        .where(base.c.status != "valid")
        .group_by(base.c.status_reason)
    ).all()
    return {
        "first": first.date().isoformat() if first else None,
        "last": last.date().isoformat() if last else None,
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


def compute_results(survey, settings=None, settings_version=None):
    """The complete results of a survey's valid responses, as JSON-ready plain data."""
    if settings is None:
        settings_version, settings = settings_service.current(survey)
    definition = definition_of(survey.latest_version)
    frame = prepare_frame(load_frame(survey, definition=definition))
    builder = ResultBuilder(settings)
    design, weighting = build_design(frame, settings)
    differences = []
    if len(frame) >= 2:
        index_sets = estimate_all(design, definition, settings, builder)
        differences = district_differences(index_sets, builder.level)
    weights = np.asarray(design.weights) if design is not None else np.zeros(0)
    results = {
        "survey": {"key": survey.key, "title": definition.title},
        "settings": {**_public_settings(settings), "version": settings_version},
        "estimates": builder.estimates,
        "indicators": [],
        "weighting": weighting,
        "differences": {
            "districts": differences,
            "waves": wave_differences(survey, definition, settings),
        },
        "fieldwork": fieldwork(survey),
        "provenance": provenance(survey, frame, settings_version),
        "n": int(len(frame)),
        "weights_summary": {"sum": _num(weights.sum()) if len(weights) else None},
    }
    results["indicators"] = score_indicators(results, settings["rubric"])
    return results


def _public_settings(settings):
    keys = (
        "weighting",
        "poststratify_variable",
        "margins",
        "ci_method",
        "ci_level",
        "scoring",
        "score_table",
        "comparison",
        "grades",
    )
    return {k: settings[k] for k in keys if k in settings}


def response_weights(survey, settings):
    """``{response_id: weight}`` of the valid responses under the settings (for exports)."""
    definition = definition_of(survey.latest_version)
    # Only the weighting variables are needed (keeps exports light on memory).
    only = set(settings["margins"]) if settings["weighting"] != "none" else set()
    frame = prepare_frame(load_frame(survey, definition=definition, only=only))
    design, _ = build_design(frame, settings)
    if design is None:
        return {}
    return dict(zip(frame["response_id"].tolist(), np.asarray(design.weights).tolist()))


def _add_binary_share(builder, design, question, kind, column, category, by):
    """Add the share of a 0/1 indicator column (aware at all, improved) under ``question``."""
    table = analysis.describe_items(
        design,
        [column],
        by=by,
        level=builder.level,
        method=builder.method,
        levels={column: [0, 1]},
    )
    builder.add_table(question, kind, table, by, category=category, only=1)
