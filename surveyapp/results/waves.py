"""Two waves of one survey compared: by date ranges in the survey's time zone, or by versions.

Date ranges are read as local calendar days of the survey's time zone (Asia/Shanghai unless the
definition says otherwise) and the end date is included: ``2026-10-01 .. 2026-10-15`` means from
local midnight of 1 October up to, not including, local midnight of 16 October.
"""

import math
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

import analysis
from analysis import SurveyError

from ..models import Response
from ..models import SurveyVersion
from .data import load_frame
from .model import Difference
from .model import WaveComparison


def utc_bounds(start, end, timezone):
    """Naive-UTC ``[from, to)`` of local days ``start..end`` (ISO dates, end included)."""
    zone = ZoneInfo(timezone)
    first, last = date.fromisoformat(str(start).strip()), date.fromisoformat(str(end).strip())
    if last < first:
        raise ValueError(f"the end date {last} is before the start date {first}")

    def utc(day):
        return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC).replace(tzinfo=None)

    return utc(first), utc(last + timedelta(days=1))


def wave_condition(survey, spec, by, timezone):
    """SQLAlchemy conditions selecting one wave's responses."""
    if by == "dates":
        low, high = utc_bounds(spec[0], spec[1], timezone)
        return [Response.submitted_at >= low, Response.submitted_at < high]
    numbers = [int(x) for x in spec if str(x).strip()]
    if not numbers:
        raise ValueError("name at least one questionnaire version")
    version_ids = select(SurveyVersion.id).where(
        SurveyVersion.survey_id == survey.id, SurveyVersion.number.in_(numbers)
    )
    return [Response.version_id.in_(version_ids)]


def wave_label(spec, by):
    """``2026-10-01 – 2026-10-15`` or ``v1, v2``."""
    parts = [str(x).strip() for x in spec if str(x).strip()]
    if by == "dates":
        return " – ".join(parts)
    return ", ".join(f"v{p}" for p in parts)


def headline_estimates(design, plan, score_table):
    """``{(question, statistic, codes): analysis.Estimate}`` of the plan's headline figures."""
    from .summaries import share_column

    out = {}
    if plan.index is not None:
        scale = plan.scale(plan.index.items[0][0])
        table = score_table if score_table and scale.covers(score_table) else None
        out[(plan.index.key, "index", ())] = analysis.dimension_index(
            design, dict(plan.index.items), levels=scale.levels, table=table, exclude=()
        )
    if plan.overall is not None:
        scale = plan.scale(plan.overall)
        out[(plan.overall, "top2", scale.top)] = analysis.satisfaction_rate(
            design, plan.overall, levels=scale.levels, top=2, exclude=()
        )
    for h in plan.headlines:
        out[(h.question, "share", h.codes)] = analysis.proportion(
            design, share_column(h.question, h.codes), levels=[0, 1]
        )[1]
    return out


def wave_comparison(survey, definition, plan, settings):
    """Wave B against wave A on the headline figures (independent samples, Welch df)."""
    from .compute import build_design
    from .compute import prepare_frame

    comparison = settings.get("comparison") or {}
    by = comparison.get("by", "none")
    if by not in ("dates", "versions"):
        return WaveComparison()
    spec_a, spec_b = comparison.get("a", []), comparison.get("b", [])
    base = {
        "by": by,
        "a": tuple(map(str, spec_a)),
        "b": tuple(map(str, spec_b)),
        "label_a": wave_label(spec_a, by),
        "label_b": wave_label(spec_b, by),
    }
    level = float(settings["ci_level"])
    table = settings["score_table"] if settings.get("scoring") == "table" else None
    try:
        waves = []
        for name, spec in (("A", spec_a), ("B", spec_b)):
            where = wave_condition(survey, spec, by, definition.timezone)
            frame = prepare_frame(
                load_frame(survey, definition=definition, where=where), plan, settings
            )
            if len(frame) < 2:
                return WaveComparison(**base, error=f"wave {name} has fewer than 2 responses")
            design, weighting = build_design(frame, settings, plan)
            if weighting.error:
                return WaveComparison(
                    **base, error=f"wave {name}: weighting failed: {weighting.error}"
                )
            waves.append((headline_estimates(design, plan, table), len(frame)))
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        return WaveComparison(**base, error=f"cannot read the waves: {exc}")
    (est_a, n_a), (est_b, n_b) = waves
    rows = []
    try:
        for key, a in est_a.items():
            b = est_b[key]
            diff = analysis.difference(b, a)
            low, high = diff.ci(level)
            p = float(diff.p_value)
            rows.append(
                Difference(
                    question=key[0],
                    statistic=key[1],
                    codes=tuple(key[2]),
                    a=base["label_b"],
                    b=base["label_a"],
                    estimate_a=_num(b.estimate),
                    estimate_b=_num(a.estimate),
                    ci_a=tuple(map(_num, b.ci(level, _method(b, settings)))),
                    ci_b=tuple(map(_num, a.ci(level, _method(a, settings)))),
                    difference=_num(diff.estimate),
                    se=_num(diff.se),
                    ci_low=_num(low),
                    ci_high=_num(high),
                    p_value=_num(p),
                    significant=bool(not math.isnan(p) and p < 1 - level),
                )
            )
    except SurveyError as exc:
        return WaveComparison(**base, n_a=n_a, n_b=n_b, error=str(exc))
    return WaveComparison(**base, n_a=n_a, n_b=n_b, rows=tuple(rows))


def _method(est, settings):
    return settings["ci_method"] if est.kind == "proportion" else None


def _num(x):
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else x
