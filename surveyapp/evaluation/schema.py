"""An evaluation as typed data: the three-level indicator tree, counts, printed table and texts.

:func:`parse` turns the plain document (the YAML file, or a stored version) into these frozen
dataclasses and refuses anything that could not be scored, naming the indicator at fault.
"""

import re
from dataclasses import dataclass
from dataclasses import field

from flask_babel import gettext as _

from . import formula as formulas
from .survey_source import STATISTICS

KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
SOURCES = ("manual", "data", "survey")
RULE_TYPES = ("target", "proportional", "tiers")
DEFAULT_GRADES = (("优", 90.0), ("良", 80.0), ("中", 60.0))
MAX_INDICATORS = 500


class EvaluationError(ValueError):
    """An evaluation document that cannot be used; ``problems`` lists every one found."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Rule:
    """How a value becomes points: target (with deduction), proportional or tiers."""

    type: str
    target: float | None = None
    deduct: float | None = None
    tiers: tuple[tuple[float, float], ...] = ()

    def as_dict(self):
        """The rule in the rubric's plain form (what the shared scoring function reads)."""
        out = {"type": self.type}
        if self.type == "target":
            out.update(target=self.target, deduct=self.deduct)
        if self.type == "tiers":
            out["tiers"] = [{"min": m, "points": p} for m, p in self.tiers]
        return out


@dataclass(frozen=True)
class Indicator:
    """A third-level indicator with its weight and source of points."""

    id: str
    name: str
    weight: float
    source: str
    points: float | None = None
    evidence: str = ""
    scored_by: str = ""
    formula: formulas.Formula | None = None
    rule: Rule | None = None
    statistic: str | None = None
    question: str | None = None
    codes: tuple[int, ...] = ()
    printed: float | None = None


@dataclass(frozen=True)
class Group:
    """A first- or second-level indicator: a weight and its children."""

    name: str
    weight: float
    children: tuple


@dataclass(frozen=True)
class Count:
    """A figure the evaluator enters or imports (上报数 = 509566)."""

    name: str
    label: str
    value: float | None


@dataclass(frozen=True)
class Derived:
    """An unscored figure computed from the counts (shares shown in the report)."""

    name: str
    formula: formulas.Formula


@dataclass(frozen=True)
class PrintedRow:
    """A first-level row (or the total) of a score table printed elsewhere."""

    name: str
    weight: float | None
    score: float | None
    rate: float | None


@dataclass(frozen=True)
class Printed:
    """A score table printed elsewhere, entered for comparison."""

    title: str
    rows: tuple[PrintedRow, ...]
    total: PrintedRow | None
    grade: str | None
    text_rates: dict = field(default_factory=dict)


@dataclass(frozen=True)
class EvaluationDef:
    """One evaluation: metadata, tree, counts, grade thresholds, printed table and texts."""

    key: str
    title: str
    programme: str
    year: int
    indicators: tuple[Group, ...]
    counts: tuple[Count, ...] = ()
    derived: tuple[Derived, ...] = ()
    organisation: str = ""
    survey: str | None = None
    reference_date: str = ""
    background: str = ""
    grades: tuple[tuple[str, float], ...] = DEFAULT_GRADES
    below_grades: str = "差"
    printed: Printed | None = None
    problems_text: str = ""
    suggestions_text: str = ""

    def count_values(self):
        """``{name: value or None}`` of the counts."""
        return {c.name: c.value for c in self.counts}

    def leaves(self):
        """Every third-level indicator, in order."""
        return [leaf for top in self.indicators for mid in top.children for leaf in mid.children]

    def leaf(self, indicator_id):
        """The third-level indicator with this id (KeyError if there is none)."""
        for leaf in self.leaves():
            if leaf.id == indicator_id:
                return leaf
        raise KeyError(indicator_id)


def _number(value, where, problems, allow_none=False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.append(_("%(where)s: %(value)r is not a number", where=where, value=value))
        return None
    return float(value)


def _text(value):
    return "" if value is None else str(value)


def _rule(raw, where, problems):
    if not isinstance(raw, dict) or raw.get("type") not in RULE_TYPES:
        problems.append(
            _("%(where)s: the rule type must be target, proportional or tiers", where=where)
        )
        return None
    if raw["type"] == "target":
        target = _number(raw.get("target"), f"{where}: target", problems)
        deduct = _number(raw.get("deduct"), f"{where}: deduct", problems)
        return Rule("target", target=target, deduct=deduct)
    if raw["type"] == "tiers":
        tiers = raw.get("tiers")
        if not isinstance(tiers, list) or not tiers or not all(isinstance(t, dict) for t in tiers):
            problems.append(_("%(where)s: tiers must be a list of {min, points}", where=where))
            return None
        pairs = tuple(
            (
                _number(t.get("min"), f"{where}: min", problems),
                _number(t.get("points"), f"{where}: points", problems),
            )
            for t in tiers
        )
        return Rule("tiers", tiers=pairs)
    return Rule("proportional")


def _leaf(raw, counts, problems, seen):
    where = str(raw.get("name") or raw.get("id") or "?")
    ident = raw.get("id")
    if not isinstance(ident, str) or not ID_PATTERN.match(ident):
        problems.append(_("%(where)s: id must be lower-case letters, digits and _", where=where))
    elif ident in seen:
        problems.append(_("%(where)s: the id %(id)s is used twice", where=where, id=ident))
    seen.add(ident)
    weight = _number(raw.get("weight"), where, problems)
    source = raw.get("source")
    if source not in SOURCES:
        problems.append(_("%(where)s: the source must be manual, data or survey", where=where))
        return None
    fields = {
        "id": str(ident),
        "name": _text(raw.get("name")),
        "weight": weight or 0.0,
        "source": source,
    }
    if source == "manual":
        points = _number(raw.get("points"), where, problems, allow_none=True)
        if points is not None and weight is not None and not 0 <= points <= weight:
            problems.append(
                _(
                    "%(where)s: %(points)g points is outside 0 to %(weight)g",
                    where=where,
                    points=points,
                    weight=weight,
                )
            )
        fields.update(
            points=points,
            evidence=_text(raw.get("evidence")),
            scored_by=_text(raw.get("scored_by")),
        )
    elif source == "data":
        try:
            parsed = formulas.parse(raw.get("formula"))
        except formulas.FormulaError as exc:
            problems.append(f"{where}: {exc}")
            return None
        unknown = [n for n in parsed.names if n not in counts]
        if unknown:
            problems.append(
                _(
                    "%(where)s: the formula reads unknown counts: %(names)s",
                    where=where,
                    names=", ".join(unknown),
                )
            )
        fields.update(formula=parsed, rule=_rule(raw.get("rule"), where, problems))
    else:
        if raw.get("statistic") not in STATISTICS:
            problems.append(
                _(
                    "%(where)s: the statistic must be one of %(names)s",
                    where=where,
                    names=", ".join(STATISTICS),
                )
            )
        codes = raw.get("codes") or ()
        if not isinstance(codes, list | tuple) or not all(
            isinstance(c, int) and not isinstance(c, bool) for c in codes
        ):
            problems.append(_("%(where)s: codes must be a list of whole numbers", where=where))
            codes = ()
        fields.update(
            statistic=raw.get("statistic"),
            question=None if raw.get("question") is None else str(raw["question"]),
            codes=tuple(codes),
            rule=_rule(raw.get("rule"), where, problems),
            printed=_number(raw.get("printed"), where, problems, allow_none=True),
        )
    return Indicator(**fields)


def _group(raw, level, counts, problems, seen):
    where = str(raw.get("name") or "?") if isinstance(raw, dict) else "?"
    if (
        not isinstance(raw, dict)
        or not isinstance(raw.get("children"), list)
        or not raw["children"]
    ):
        problems.append(
            _(
                "%(where)s: a level-%(level)s indicator needs a list of children",
                where=where,
                level=level,
            )
        )
        return None
    weight = _number(raw.get("weight"), where, problems)
    children = []
    for child in raw["children"]:
        if not isinstance(child, dict):
            problems.append(_("%(where)s: each child must be a mapping", where=where))
            continue
        built = (
            _leaf(child, counts, problems, seen)
            if level == 2
            else _group(child, 2, counts, problems, seen)
        )
        if built is not None:
            children.append(built)
    return Group(name=_text(raw.get("name")), weight=weight or 0.0, children=tuple(children))


def _counts(raw, problems):
    out = []
    if not isinstance(raw, dict):
        problems.append(_("counts must be a mapping of name to {value, label}"))
        return out
    for name, spec in raw.items():
        if not str(name).isidentifier():
            problems.append(
                _("the count name %(name)r must be a single word (no spaces or symbols)", name=name)
            )
            continue
        spec = spec if isinstance(spec, dict) else {"value": spec}
        value = _number(spec.get("value"), str(name), problems, allow_none=True)
        out.append(Count(name=str(name), label=_text(spec.get("label")) or str(name), value=value))
    return out


def _printed(raw, problems):
    if not isinstance(raw, dict):
        return None

    def row(r):
        return PrintedRow(
            name=_text(r.get("name")) or "合计",
            weight=_number(r.get("weight"), "printed", problems, allow_none=True),
            score=_number(r.get("score"), "printed", problems, allow_none=True),
            rate=_number(r.get("rate"), "printed", problems, allow_none=True),
        )

    return Printed(
        title=_text(raw.get("title")),
        rows=tuple(row(r) for r in raw.get("rows") or () if isinstance(r, dict)),
        total=row(raw["total"]) if isinstance(raw.get("total"), dict) else None,
        grade=raw.get("grade"),
        text_rates={str(k): float(v) for k, v in (raw.get("text_rates") or {}).items()},
    )


def parse(doc):
    """The :class:`EvaluationDef` of a plain document; raises :class:`EvaluationError`."""
    problems = []
    if not isinstance(doc, dict):
        raise EvaluationError([_("an evaluation must be a YAML mapping")])
    key = doc.get("key")
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        problems.append(
            _("key must be lower-case letters, digits and hyphens (e.g. city-programme-2021)")
        )
    counts = _counts(doc.get("counts") or {}, problems)
    names = {c.name for c in counts}
    tops = doc.get("indicators")
    if not isinstance(tops, list) or not tops:
        raise EvaluationError(problems + [_("indicators must be a list of first-level indicators")])
    seen = set()
    groups = [g for g in (_group(t, 1, names, problems, seen) for t in tops) if g is not None]
    if len(seen) > MAX_INDICATORS:
        problems.append(_("more than %(n)s indicators", n=MAX_INDICATORS))
    derived = []
    for d in doc.get("derived") or ():
        try:
            derived.append(
                Derived(name=_text(d.get("name")), formula=formulas.parse(d.get("formula")))
            )
        except (formulas.FormulaError, AttributeError) as exc:
            problems.append(f"derived: {exc}")
    grades = doc.get("grades") or DEFAULT_GRADES
    try:
        grades = tuple((str(name), float(minimum)) for name, minimum in grades)
    except (TypeError, ValueError):
        problems.append(_("grades must be a list of [name, minimum] pairs"))
        grades = DEFAULT_GRADES
    year = doc.get("year")
    if not isinstance(year, int) or isinstance(year, bool):
        problems.append(_("year must be a whole number"))
    texts = doc.get("texts") or {}
    if problems:
        raise EvaluationError(problems)
    return EvaluationDef(
        key=key,
        title=_text(doc.get("title")) or key,
        programme=_text(doc.get("programme")),
        year=year,
        indicators=tuple(groups),
        counts=tuple(counts),
        derived=tuple(derived),
        organisation=_text(doc.get("organisation")),
        survey=doc.get("survey"),
        reference_date=_text(doc.get("reference_date")),
        background=_text(doc.get("background")),
        grades=grades,
        below_grades=_text(doc.get("below_grades")) or "差",
        printed=_printed(doc.get("printed"), problems),
        problems_text=_text(texts.get("problems")),
        suggestions_text=_text(texts.get("suggestions")),
    )
