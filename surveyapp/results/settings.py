"""Versioned analysis settings of a survey: weighting margins, CI method, scoring, rubric, waves."""

import copy
import csv
import io
from functools import lru_cache
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import select

from .. import audit
from .. import yamlsafe
from ..extensions import db
from ..models import AnalysisSettings

SURVEYS_DIR = Path(__file__).resolve().parent.parent / "definitions" / "surveys"
WEIGHTING_METHODS = ("rake", "poststratify", "none")
CI_METHODS = ("logit", "korn-graubard", "wilson", "clopper-pearson", "wald")
DEFAULT_SCORE_TABLE = {"5": 100, "4": 80, "3": 60, "2": 40, "1": 20}
DEFAULT_GRADES = [["优", 90], ["良", 80], ["中", 60]]


class SettingsError(ValueError):
    """Settings input that cannot be used; the message says why."""


def _shipped(key, suffix):
    return copy.deepcopy(_read_shipped(key, suffix))


@lru_cache(maxsize=64)
def _read_shipped(key, suffix):
    """A shipped settings file, parsed once a process (settings are read on every page)."""
    path = SURVEYS_DIR / f"{key}.{suffix}.yaml"
    if not path.exists():
        return None
    with open(path, encoding="utf-8") as fh:
        return yamlsafe.safe_load(fh.read())


def default_settings(survey_key):
    """The settings a survey starts with (shipped margins and rubric when present)."""
    margins = _shipped(survey_key, "margins") or {}
    rubric = _shipped(survey_key, "rubric") or {"indicators": []}
    return {
        "weighting": "rake" if margins else "none",
        "poststratify_variable": next(iter(margins), ""),
        "margins": {
            var: {str(c): float(n) for c, n in cells.items()} for var, cells in margins.items()
        },
        "ci_method": "logit",
        "ci_level": 0.95,
        "scoring": "table",
        "score_table": dict(DEFAULT_SCORE_TABLE),
        "rubric": rubric,
        "comparison": {"by": "none", "a": ["", ""], "b": ["", ""]},
        "grades": copy.deepcopy(DEFAULT_GRADES),
        "manual_scores": {},
    }


def current(survey):
    """``(version number, settings dict)`` in force; version 0 means the shipped defaults."""
    row = db.session.scalars(
        select(AnalysisSettings)
        .where(AnalysisSettings.survey_id == survey.id)
        .order_by(AnalysisSettings.number.desc())
        .limit(1)
    ).first()
    settings = default_settings(survey.key)
    if row is None:
        return 0, settings
    settings.update(row.settings)
    return row.number, settings


def save(survey, changes, user=None):
    """Store a new settings version with ``changes`` applied; audited ``settings.change``."""
    from ..definitions.plan import plan_for
    from ..definitions.store import definition_of

    number, settings = current(survey)
    changed = sorted(k for k, v in changes.items() if settings.get(k) != v)
    settings.update(changes)
    validate(settings, plan_for(definition_of(survey.latest_version)))
    row = AnalysisSettings(
        survey_id=survey.id,
        number=number + 1,
        settings=settings,
        created_by_id=getattr(user, "id", None),
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        "settings.change", survey_id=survey.id, user=user, version=row.number, changed=changed
    )
    return row


def validate(settings, plan=None):
    """Raise :class:`SettingsError` when settings could not drive an analysis.

    With the survey's analysis ``plan`` the rubric is checked too: every indicator must name a
    question, statistic and codes the plan has, and a complete rule.
    """
    if plan is not None:
        from .rubric import RubricError
        from .rubric import validate_rubric

        try:
            validate_rubric(settings.get("rubric") or {"indicators": []}, plan)
        except RubricError as exc:
            raise SettingsError(str(exc)) from None
    if settings["weighting"] not in WEIGHTING_METHODS:
        raise SettingsError(_("unknown weighting method %(name)r", name=settings["weighting"]))
    if settings["ci_method"] not in CI_METHODS:
        raise SettingsError(_("unknown interval method %(name)r", name=settings["ci_method"]))
    if not 0.5 <= float(settings["ci_level"]) < 1:
        raise SettingsError(_("the confidence level must be between 0.5 and 1 (e.g. 0.95)"))
    if settings["weighting"] != "none":
        margins = settings["margins"]
        if not margins:
            raise SettingsError(_("weighting needs population margins"))
        totals = {var: sum(cells.values()) for var, cells in margins.items()}
        if any(n < 0 for cells in margins.values() for n in cells.values()):
            raise SettingsError(_("population counts cannot be negative"))
        if settings["weighting"] == "rake" and len({round(t) for t in totals.values()}) > 1:
            shown = ", ".join(f"{var} {total:,.0f}" for var, total in totals.items())
            raise SettingsError(
                _("every margin must add up to the same total (%(totals)s)", totals=shown)
            )
        if (
            settings["weighting"] == "poststratify"
            and settings["poststratify_variable"] not in margins
        ):
            raise SettingsError(_("post-stratification needs margins for its variable"))
    if settings["scoring"] == "table":
        if not settings["score_table"]:
            raise SettingsError(_("the score table is empty"))


def parse_margins_csv(text):
    """Margins from CSV text with columns variable,code,count."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames or {"variable", "code", "count"} - set(reader.fieldnames):
        raise SettingsError(_("the CSV needs the columns variable,code,count"))
    margins = {}
    for line, row in enumerate(reader, start=2):
        try:
            code = str(int(row["code"]))
            count = float(row["count"])
        except (TypeError, ValueError):
            raise SettingsError(
                _("line %(line)d: code must be a whole number and count a number", line=line)
            ) from None
        margins.setdefault(row["variable"].strip(), {})[code] = count
    return margins


def parse_score_table(text):
    """A Likert score table from ``5:100,4:80,3:60,2:40,1:20``."""
    table = {}
    for part in text.replace("，", ",").split(","):
        if not part.strip():
            continue
        try:
            code, points = part.split(":")
            table[str(int(code))] = float(points)
        except ValueError:
            raise SettingsError(
                _("cannot read %(part)r; write code:score pairs", part=part.strip())
            ) from None
    if len(table) < 2:
        raise SettingsError(_("a score table needs at least two levels"))
    return table


def parse_rubric(text):
    """A rubric from YAML text (the format of the shipped ``*.rubric.yaml``)."""
    try:
        rubric = yamlsafe.safe_load(text)
    except yamlsafe.YamlRefused as exc:
        raise SettingsError(f"the rubric is not valid YAML: {exc}") from None
    if not isinstance(rubric, dict) or not isinstance(rubric.get("indicators"), list):
        raise SettingsError("the rubric needs a list under 'indicators'")
    return rubric
