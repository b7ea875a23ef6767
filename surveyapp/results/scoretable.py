"""The evaluation score table (绩效评价得分表): indicators, points, 得分率, total, grade, checks."""

from pathlib import Path

import yaml

from .settings import SURVEYS_DIR

# First-level indicators and weights of the seed evaluation (决策—过程—产出—效益).
FIRST_LEVEL = (("项目决策", 15), ("项目过程", 20), ("项目产出", 45), ("项目效益", 20))
BENEFIT = "项目效益"
TOLERANCE = 0.01  # values are printed with two decimals


def load_example(key="nanyang-dcm"):
    """The shipped example table of a survey (the seed's 2021 table for the default survey)."""
    path = Path(SURVEYS_DIR) / f"{key}.scoretable.yaml"
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def grade_for(score, grades):
    """The grade of a total score under ``[[name, minimum], ...]`` thresholds (else 差)."""
    for name, minimum in sorted(grades, key=lambda g: -float(g[1])):
        if score is not None and score >= float(minimum):
            return name
    return "差"


def build(indicators, manual_scores, grades):
    """The evaluator's table: survey-based rows from the rubric, the others entered by hand.

    ``indicators`` are :class:`~.model.IndicatorScore` objects. ``manual_scores`` maps a first-level name to the points the evaluator gave it. The benefit
    row holds one third-level row per rubric indicator and adds them up.
    """
    rows = []
    for name, weight in FIRST_LEVEL:
        if name == BENEFIT:
            children = [
                {
                    "level": 3,
                    "name": ind.name["zh"],
                    "weight": ind.max_points,
                    "score": ind.points,
                    "source": "survey",
                    "settled": ind.settled,
                    "score_low": ind.points_low,
                    "score_high": ind.points_high,
                }
                for ind in indicators
            ]
            known = [c["score"] for c in children if c["score"] is not None]
            other = weight - sum(c["weight"] for c in children)
            if other > 0:
                manual = manual_scores.get("其他效益指标")
                children.append(
                    {
                        "level": 3,
                        "name": "其他效益指标",
                        "weight": other,
                        "score": manual,
                        "source": "manual",
                    }
                )
                if manual is not None:
                    known.append(manual)
            score = round(sum(known), 2) if len(known) == len(children) else None
            rows.append(_row(1, name, weight, score, "survey"))
            rows.extend(
                _row(3, c["name"], c["weight"], c["score"], c["source"], settled=c.get("settled"))
                for c in children
            )
        else:
            rows.append(_row(1, name, weight, manual_scores.get(name), "manual"))
    level1 = [r for r in rows if r["level"] == 1]
    total_weight = sum(r["weight"] for r in level1)
    complete = all(r["score"] is not None for r in level1)
    total_score = round(sum(r["score"] for r in level1), 2) if complete else None
    table = {
        "title": "绩效评价得分表",
        "rows": rows,
        "total": {
            "weight": total_weight,
            "score": total_score,
            "rate": _rate(total_score, total_weight),
        },
    }
    table["grade"] = grade_for(total_score, grades) if complete else None
    return table


def _rate(score, weight):
    return None if score is None or not weight else round(100.0 * score / weight, 2)


def _row(level, name, weight, score, source, settled=None):
    return {
        "level": level,
        "name": name,
        "weight": weight,
        "score": score,
        "rate": _rate(score, weight),
        "source": source,
        "settled": settled,
    }


def check(table, grades=None):
    """Recompute every rate, sum and the total; return a list of problems (empty when consistent).

    Each problem is ``{"row": name, "field": ..., "stated": ..., "computed": ...}``.
    """
    problems = []
    rows = table["rows"]
    for i, row in enumerate(rows):
        if row.get("score") is None:
            continue
        computed = _rate(row["score"], row["weight"])
        if row.get("rate") is not None and abs(computed - float(row["rate"])) > TOLERANCE:
            problems.append(
                {"row": row["name"], "field": "rate", "stated": row["rate"], "computed": computed}
            )
        if row["score"] > row["weight"] + TOLERANCE:
            problems.append(
                {
                    "row": row["name"],
                    "field": "score",
                    "stated": row["score"],
                    "computed": row["weight"],
                }
            )
        children = _children(rows, i)
        if children and all(c.get("score") is not None for c in children):
            for field in ("weight", "score"):
                total = round(sum(float(c[field]) for c in children), 2)
                if abs(total - float(row[field])) > TOLERANCE:
                    problems.append(
                        {
                            "row": row["name"],
                            "field": field,
                            "stated": row[field],
                            "computed": total,
                        }
                    )
    top = [r for r in rows if r["level"] == min(r["level"] for r in rows)]
    total = table.get("total") or {}
    sums = {
        "weight": round(sum(float(r["weight"]) for r in top), 2),
        "score": round(sum(float(r["score"] or 0) for r in top), 2),
    }
    for field, computed in sums.items():
        if total.get(field) is not None and abs(float(total[field]) - computed) > TOLERANCE:
            problems.append(
                {"row": "合计", "field": field, "stated": total[field], "computed": computed}
            )
    if total.get("rate") is not None and total.get("score") is not None:
        computed = _rate(float(total["score"]), float(total["weight"]))
        if abs(computed - float(total["rate"])) > TOLERANCE:
            problems.append(
                {"row": "合计", "field": "rate", "stated": total["rate"], "computed": computed}
            )
    if grades and table.get("grade") and total.get("score") is not None:
        computed = grade_for(float(total["score"]), grades)
        if computed != table["grade"]:
            problems.append(
                {"row": "合计", "field": "grade", "stated": table["grade"], "computed": computed}
            )
    return problems


def _children(rows, i):
    """The rows directly below row ``i`` in the hierarchy (next deeper level until a sibling)."""
    level = rows[i]["level"]
    out = []
    for row in rows[i + 1 :]:
        if row["level"] <= level:
            break
        out.append(row)
    if not out:
        return []
    child_level = min(r["level"] for r in out)
    return [r for r in out if r["level"] == child_level]
