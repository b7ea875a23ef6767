"""Benefit-indicator scoring: a rubric turns survey estimates into indicator points.

Each indicator names its estimate by ``(question, statistic, codes)`` -- checked against the
survey's analysis plan when the rubric is saved -- and a rule turning the estimate into points.
It is scored at the estimate and at both ends of its confidence interval, so an evaluator sees
whether the points are statistically settled (all three equal) or not.
"""

import math

from flask_babel import gettext as _

from ..definitions.qtypes import question_type
from .model import IndicatorScore

RULES = ("target", "proportional", "tiers")
# Statistics each summary kind publishes (see :mod:`.summaries`).
STATISTICS = {
    "shares": ("share", "dist"),
    "likert": ("top2", "score", "share", "dist", "index"),
    "multiple": ("share",),
    "rating": ("mean", "nps"),
    "number": ("mean", "median", "q1", "q3"),
    "text": (),
    "none": (),
}
NEEDS_CODES = ("share", "dist")


class RubricError(ValueError):
    """A rubric that cannot be scored; the message names the indicator and the problem."""


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def estimate_spec(spec, plan):
    """``(question, statistic, codes)`` of an indicator's ``estimate`` (legacy ``kind`` too)."""
    if "kind" in spec and "statistic" not in spec:
        # Rubrics saved before statistics were named: rate, improved, share, index.
        kind = spec["kind"]
        if kind == "index":
            return (plan.index.key if plan.index else "index", "index", ())
        if kind == "rate":
            return (spec.get("question"), "top2", ())
        if kind == "improved":
            question = spec.get("question")
            q = plan.definition.question(question) if question else None
            return (question, "share", tuple(q.substantive_codes[:2]) if q else ())
        return (spec.get("question"), kind, tuple(spec.get("codes") or ()))
    return (spec.get("question"), spec.get("statistic"), tuple(spec.get("codes") or ()))


def validate_rubric(rubric, plan):
    """Raise :class:`RubricError` unless every indicator can be scored on this plan."""
    if not isinstance(rubric, dict) or not isinstance(rubric.get("indicators"), list):
        raise RubricError(_("The rubric needs a list under 'indicators'."))
    seen = set()
    for i, ind in enumerate(rubric["indicators"], start=1):
        if not isinstance(ind, dict):
            raise RubricError(_("Indicator %(i)s must be a mapping.", i=i))
        name = str(ind.get("id", i))
        missing = [k for k in ("id", "name", "points", "estimate", "rule") if k not in ind]
        if missing:
            raise RubricError(
                _("Indicator %(id)s needs %(keys)s.", id=name, keys=", ".join(missing))
            )
        if name in seen:
            raise RubricError(_("Indicator id %(id)s is used twice.", id=name))
        seen.add(name)
        if not isinstance(ind["name"], dict) or not str(ind["name"].get("zh", "")).strip():
            raise RubricError(_("Indicator %(id)s: name needs a Chinese text (zh).", id=name))
        if not _number(ind["points"]) or ind["points"] <= 0:
            raise RubricError(_("Indicator %(id)s: points must be a positive number.", id=name))
        if not isinstance(ind["estimate"], dict):
            raise RubricError(
                _("Indicator %(id)s: estimate must name question, statistic and codes.", id=name)
            )
        _check_estimate(name, ind["estimate"], plan)
        _check_rule(name, ind["rule"], float(ind["points"]))


def _check_estimate(name, spec, plan):
    question, statistic, codes = estimate_spec(spec, plan)
    if plan.index is not None and question == plan.index.key:
        allowed = ("index",)
    else:
        q = plan.definition.question(question) if isinstance(question, str) else None
        if q is None:
            raise RubricError(
                _("Indicator %(id)s: the survey has no question %(q)s.", id=name, q=repr(question))
            )
        allowed = STATISTICS[question_type(q.type).summary]
        if statistic == "index" and question != q.key:
            allowed = tuple(s for s in allowed if s != "index")
        if not all(isinstance(c, int) and not isinstance(c, bool) for c in codes):
            raise RubricError(_("Indicator %(id)s: codes must be whole numbers.", id=name))
        unknown = [c for c in codes if c not in q.codes]
        if unknown:
            raise RubricError(
                _(
                    "Indicator %(id)s: question %(q)s has no code %(codes)s.",
                    id=name,
                    q=question,
                    codes=", ".join(map(str, unknown)),
                )
            )
    if statistic not in allowed:
        raise RubricError(
            _(
                "Indicator %(id)s: %(q)s has no statistic %(s)s (it has: %(allowed)s).",
                id=name,
                q=question,
                s=repr(statistic),
                allowed=", ".join(allowed) or "–",
            )
        )
    if statistic in NEEDS_CODES and not codes:
        raise RubricError(_("Indicator %(id)s: a %(s)s needs codes.", id=name, s=statistic))


def _check_rule(name, rule, points):
    if not isinstance(rule, dict) or rule.get("type") not in RULES:
        raise RubricError(
            _("Indicator %(id)s: rule type must be target, proportional or tiers.", id=name)
        )
    if rule["type"] == "target":
        if not _number(rule.get("target")):
            raise RubricError(_("Indicator %(id)s: a target rule needs a target number.", id=name))
        if not _number(rule.get("deduct")) or rule["deduct"] < 0:
            raise RubricError(
                _("Indicator %(id)s: a target rule needs deduct, points per unit short.", id=name)
            )
    if rule["type"] == "tiers":
        tiers = rule.get("tiers")
        if not isinstance(tiers, list) or not tiers:
            raise RubricError(
                _("Indicator %(id)s: tiers must be a list of {min, points}.", id=name)
            )
        for tier in tiers:
            if (
                not isinstance(tier, dict)
                or not _number(tier.get("min"))
                or not _number(tier.get("points"))
            ):
                raise RubricError(
                    _("Indicator %(id)s: every tier needs a number min and points.", id=name)
                )
            if not 0 <= tier["points"] <= points:
                raise RubricError(
                    _(
                        "Indicator %(id)s: tier points must be between 0 and %(p)s.",
                        id=name,
                        p=points,
                    )
                )


def points_for(value, points, rule):
    """Points earned by ``value`` (a share in 0..1, or an index in 0..100) under ``rule``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    kind = rule["type"]
    if kind == "target":
        target = float(rule["target"])
        # Shares are compared in percentage points; an index is already on 0-100.
        scale = 100.0 if target <= 1 else 1.0
        shortfall = max(0.0, (target - value) * scale)
        earned = points - float(rule["deduct"]) * shortfall
    elif kind == "proportional":
        earned = points * (value / 100.0 if value > 1 else value)
    elif kind == "tiers":
        earned = 0.0
        for tier in sorted(rule["tiers"], key=lambda t: -float(t["min"])):
            if value >= float(tier["min"]):
                earned = float(tier["points"])
                break
    else:
        raise ValueError(f"unknown rule type {kind!r}")
    return round(min(max(earned, 0.0), points), 2)


def requested_shares(rubric, plan):
    """``(question, codes)`` shares the rubric needs beyond the plan's own (derived columns)."""
    out = []
    for ind in (rubric or {}).get("indicators", []):
        question, statistic, codes = estimate_spec(ind["estimate"], plan)
        q = plan.definition.question(question)
        if statistic == "share" and q is not None and question_type(q.type).column_kind == "code":
            out.append((question, tuple(codes)))
    return out


def score_indicators(lookup, rubric, plan):
    """One :class:`IndicatorScore` per indicator; ``lookup(question, statistic, codes)`` raises."""
    rows = []
    for ind in (rubric or {}).get("indicators", []):
        question, statistic, codes = estimate_spec(ind["estimate"], plan)
        est = lookup(question, statistic, codes)
        points = float(ind["points"])
        at = [points_for(v, points, ind["rule"]) for v in (est.ci_low, est.estimate, est.ci_high)]
        rows.append(
            IndicatorScore(
                id=str(ind["id"]),
                name=dict(ind["name"]),
                max_points=points,
                question=question,
                statistic=statistic,
                codes=tuple(est.codes),
                rule=dict(ind["rule"]),
                estimate=est.estimate,
                ci_low=est.ci_low,
                ci_high=est.ci_high,
                n=est.n,
                n_eff=est.n_eff,
                points=at[1],
                points_low=at[0],
                points_high=at[2],
                flags=tuple(est.flags),
            )
        )
    return rows
