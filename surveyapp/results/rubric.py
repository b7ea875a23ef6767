"""Benefit-indicator scoring: a rubric turns survey estimates into indicator points.

Each indicator is scored at the estimate and at both ends of its confidence interval, so an
evaluator sees whether the points are statistically settled (all three equal) or not.
"""

import math

# Which estimate of the results an indicator's ``estimate.kind`` refers to.
_LOOKUP = {
    "rate": lambda e: (e["question"], "rate", "4-5"),
    "improved": lambda e: (e.get("question", "env_improved"), "improved", "4-5"),
    "index": lambda e: ("index", "index", None),
}


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


def find(results, question, kind, category=None, domain=None):
    """The estimate dict matching these keys, or None."""
    for row in results["estimates"]:
        if (row["question"], row["kind"], row["category"], row["domain"]) == (
            question,
            kind,
            category,
            domain,
        ):
            return row
    return None


def _estimate_for(results, spec):
    kind = spec["kind"]
    if kind == "share":
        codes = sorted(int(c) for c in spec["codes"])
        category = f"{codes[0]}-{codes[-1]}" if len(codes) > 1 else str(codes[0])
        key = (spec["question"], "share", category)
    else:
        key = _LOOKUP[kind](spec)
    return find(results, *key)


def score_indicators(results, rubric):
    """One row per rubric indicator: estimate, CI, and points at the estimate and the CI ends."""
    rows = []
    for ind in rubric.get("indicators", []):
        est = _estimate_for(results, ind["estimate"])
        points = float(ind["points"])
        value = est["estimate"] if est else None
        low, high = est["ci"] if est else (None, None)
        at = [points_for(v, points, ind["rule"]) for v in (low, value, high)]
        rows.append(
            {
                "id": ind["id"],
                "name": ind["name"],
                "max_points": points,
                "estimate": value,
                "ci": [low, high],
                "n": est["n"] if est else 0,
                "n_eff": est["n_eff"] if est else None,
                "question": ind["estimate"].get("question"),
                "kind": ind["estimate"]["kind"],
                "rule": ind["rule"],
                "points": at[1],
                "points_low": at[0],
                "points_high": at[2],
                "settled": est is not None and at[0] == at[1] == at[2],
            }
        )
    return rows
