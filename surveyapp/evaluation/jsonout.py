"""The scorecard as JSON-ready plain data (``evaluation score KEY --json`` and the API)."""

from dataclasses import asdict


def _node(level, node):
    out = {
        "level": level,
        "name": node.name,
        "weight": node.weight,
        "points": node.points,
        "points_low": node.points_low,
        "points_high": node.points_high,
        "rate": None
        if node.points is None or not node.weight
        else round(100 * node.points / node.weight, 2),
    }
    if level == 3:
        ind = node.indicator
        out.update(id=ind.id, source=ind.source, basis=node.basis, settled=node.settled)
        if ind.source == "data":
            out.update(formula=ind.formula.text, value=node.value)
        elif ind.source == "survey":
            out.update(
                question=ind.question,
                statistic=ind.statistic,
                codes=list(ind.codes),
                value=node.value,
                ci=node.ci,
                n=node.n,
                flags=list(node.flags),
            )
        else:
            out.update(evidence=ind.evidence, scored_by=ind.scored_by)
    return out


def as_dict(card, problems):
    """Plain data: the rows at three levels, subtotals, total, rate, grade, derived values, checks."""
    d = card.definition
    return {
        "key": d.key,
        "title": d.title,
        "benefit_from": "survey" if card.survey_used else "printed",
        "rows": [_node(level, node) for level, node in card.rows()],
        "first_level": [
            {"name": g.name, "weight": g.weight, "points": g.points, "rate": g.rate}
            for g in card.groups
        ],
        "total": {
            "weight": card.weight,
            "points": card.points,
            "points_low": card.points_low,
            "points_high": card.points_high,
            "rate": card.rate,
            "grade": card.grade,
        },
        "derived": [asdict(v) for v in card.derived],
        "checks": [asdict(p) for p in problems],
    }
