"""Evaluations in the database: load documents, version the evaluator's inputs, score them.

Every change is a new :class:`EvaluationVersion` (the newest is in force) and an audit entry.
Services add and flush; the caller (request or CLI command) commits.
"""

import copy
import csv
import io
import json
from pathlib import Path

import yaml
from flask_babel import gettext as _
from sqlalchemy import select

from .. import audit
from ..extensions import db
from ..models import Evaluation
from ..models import EvaluationVersion
from .checks import check
from .schema import EvaluationError
from .schema import parse
from .scoring import score
from .survey_source import indicator_problems
from .survey_source import survey_figures

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "definitions" / "evaluations"
MAX_BYTES = 256 * 1024


class _NoAliases(yaml.SafeLoader):
    """A safe loader that refuses anchors and aliases (no expansion bombs)."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise EvaluationError([_("YAML aliases (*name) are not allowed in an evaluation")])
        return super().compose_node(parent, index)


def read_document(text):
    """The plain (JSON-ready) document of YAML text; raises :class:`EvaluationError`."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise EvaluationError([_("the file is larger than %(n)s KB", n=MAX_BYTES // 1024)])
    try:
        doc = yaml.load(text, Loader=_NoAliases)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise EvaluationError([_("not valid YAML: %(error)s", error=exc)]) from None
    # Dates and the like become strings, as they will be when stored as JSON.
    doc = json.loads(json.dumps(doc, ensure_ascii=False, default=str))
    parse(doc)
    return doc


def read_file(path):
    """The document in the YAML file at ``path``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise EvaluationError(
            [_("cannot read %(path)s: %(error)s", path=path, error=exc)]
        ) from None
    return read_document(text)


def builtin_path(key):
    """Path of an evaluation shipped with the application."""
    return BUILTIN_DIR / f"{key}.yaml"


def get_evaluation(key):
    """The evaluation with this key, or None."""
    return db.session.scalars(select(Evaluation).where(Evaluation.key == key)).first()


def all_evaluations():
    """Every stored evaluation, by key."""
    return db.session.scalars(select(Evaluation).order_by(Evaluation.key)).all()


def save_document(doc, note, user=None, action="evaluation.load"):
    """Store ``doc`` as a new version if it differs from the newest one: ``(version, created)``."""
    definition = parse(doc)
    problems = indicator_problems(
        definition.survey, [leaf for leaf in definition.leaves() if leaf.source == "survey"]
    )
    if problems:
        raise EvaluationError(problems)
    evaluation = get_evaluation(definition.key)
    if evaluation is None:
        evaluation = Evaluation(key=definition.key, title=definition.title[:255])
        db.session.add(evaluation)
        db.session.flush()
    latest = evaluation.latest_version
    if latest is not None and latest.document == doc:
        return latest, False
    evaluation.title = definition.title[:255]
    version = EvaluationVersion(
        evaluation=evaluation,
        number=(latest.number if latest else 0) + 1,
        document=doc,
        note=note[:255],
        created_by_id=getattr(user, "id", None),
    )
    db.session.add(version)
    db.session.flush()
    audit.record(
        action, user=user, evaluation=definition.key, version=version.number, note=note[:255]
    )
    return version, True


def document_of(evaluation):
    """A copy of the newest document of ``evaluation`` (safe to change)."""
    return copy.deepcopy(evaluation.latest_version.document)


def definition_of(evaluation):
    """The parsed newest version of ``evaluation``."""
    return parse(evaluation.latest_version.document)


def _number(text, where):
    text = str(text).strip().replace(",", "").replace("，", "")
    if text == "":
        return None
    try:
        value = float(text)
    except ValueError:
        raise EvaluationError(
            [_("%(where)s: %(text)r is not a number", where=where, text=text)]
        ) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise EvaluationError([_("%(where)s: %(text)r is not a number", where=where, text=text)])
    return int(value) if value.is_integer() else value


def set_counts(evaluation, values, user=None, note="counts"):
    """New version with the counts ``{name: text}`` (empty text clears a count)."""
    doc = document_of(evaluation)
    counts = doc.setdefault("counts", {})
    for name, text in values.items():
        if name not in counts:
            raise EvaluationError([_("%(name)s is not a count of this evaluation", name=name)])
        spec = counts[name] if isinstance(counts[name], dict) else {"value": counts[name]}
        spec["value"] = _number(text, name)
        counts[name] = spec
    return save_document(doc, note, user, "evaluation.counts")


def parse_counts_csv(text):
    """``{name: text}`` from CSV text with the columns name,value."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames or {"name", "value"} - {f.strip() for f in reader.fieldnames}:
        raise EvaluationError([_("the CSV needs the columns name,value")])
    return {row["name"].strip(): row["value"] or "" for row in reader if row.get("name")}


def set_manual(evaluation, entries, user=None):
    """New version with manual points ``{id: (points text, evidence, scored_by)}``."""
    doc = document_of(evaluation)
    leaves = {
        leaf["id"]: leaf
        for top in doc["indicators"]
        for mid in top["children"]
        for leaf in mid["children"]
    }
    for ident, (points, evidence, scored_by) in entries.items():
        leaf = leaves.get(ident)
        if leaf is None or leaf.get("source") != "manual":
            raise EvaluationError([_("%(id)s is not a manual indicator", id=ident)])
        value = _number(points, leaf["name"])
        if value is not None and not 0 <= value <= leaf["weight"]:
            raise EvaluationError(
                [
                    _(
                        "%(name)s: points must be between 0 and %(weight)g",
                        name=leaf["name"],
                        weight=leaf["weight"],
                    )
                ]
            )
        leaf.update(points=value, evidence=evidence.strip(), scored_by=scored_by.strip())
    return save_document(doc, "manual scores", user, "evaluation.manual")


def set_texts(evaluation, problems, suggestions, user=None):
    """New version with the evaluator's 存在的问题 and 建议."""
    doc = document_of(evaluation)
    doc["texts"] = {"problems": problems.strip(), "suggestions": suggestions.strip()}
    return save_document(doc, "texts", user, "evaluation.texts")


def scorecard(evaluation):
    """``(scorecard, problems)`` of the newest version, survey rows from the survey when it has results."""
    definition = definition_of(evaluation)
    survey_leaves = [leaf for leaf in definition.leaves() if leaf.source == "survey"]
    card = score(definition, survey_figures(definition.survey, survey_leaves))
    return card, check(card)


def for_survey(key):
    """``[(evaluation, scorecard)]`` of the stored evaluations whose survey indicators use ``key``."""
    found = []
    for evaluation in all_evaluations():
        definition = definition_of(evaluation)
        uses = any(leaf.source == "survey" for leaf in definition.leaves())
        if uses and definition.survey == key:
            found.append((evaluation, scorecard(evaluation)[0]))
    return found
