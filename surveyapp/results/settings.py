"""Versioned analysis settings of a survey: weighting margins, CI method, scoring, rubric, waves."""

import copy
import csv
import io
from functools import lru_cache
from pathlib import Path

import yaml
from flask_babel import gettext as _
from sqlalchemy import select

from .. import audit
from .. import yamlsafe
from ..definitions.store import definition_of
from ..extensions import db
from ..models import AnalysisSettings
from .settings_check import SettingsError
from .settings_check import validate

SURVEYS_DIR = Path(__file__).resolve().parent.parent / "definitions" / "surveys"
# Keys stored settings may still hold from the removed score table (grades now live in the
# evaluations): dropped when settings are read, refused like any unknown key when saved.
OBSOLETE_KEYS = frozenset({"grades", "manual_scores"})


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


def default_score_table(definition):
    """Equal steps up to 100 over the substantive codes of the survey's first rating scale.

    A five-point scale scores 100, 80, 60, 40, 20 from its first-listed (best) answer down.
    """
    scale = next((q.scale for q in definition.questions if q.scale is not None), None)
    if scale is None:
        return {}
    codes = [c.code for c in definition.scales[scale] if c.substantive]
    return {str(code): 100.0 * (len(codes) - i) / len(codes) for i, code in enumerate(codes)}


def default_settings(survey_key, definition):
    """The settings a survey starts with (shipped margins and rubric when present)."""
    margins = _shipped(survey_key, "margins") or {}
    rubric = _shipped(survey_key, "rubric") or {"indicators": []}
    table = default_score_table(definition)
    return {
        "weighting": "rake" if margins else "none",
        "poststratify_variable": next(iter(margins), None),
        "margins": {
            var: {str(c): float(n) for c, n in cells.items()} for var, cells in margins.items()
        },
        "ci_method": "logit",
        "ci_level": 0.95,
        "scoring": "table" if table else "linear",
        "score_table": table,
        "rubric": rubric,
        "comparison": {"by": "none", "a": ["", ""], "b": ["", ""]},
    }


def current(survey):
    """``(version number, settings dict)`` in force; version 0 means the shipped defaults.

    The one place stored settings are read: keys of removed settings (:data:`OBSOLETE_KEYS`)
    are dropped.
    """
    row = db.session.scalars(
        select(AnalysisSettings)
        .where(AnalysisSettings.survey_id == survey.id)
        .order_by(AnalysisSettings.number.desc())
        .limit(1)
    ).first()
    settings = default_settings(survey.key, definition_of(survey.latest_version))
    if row is None:
        return 0, settings
    settings.update({k: v for k, v in row.settings.items() if k not in OBSOLETE_KEYS})
    return row.number, settings


def save(survey, changes, user=None, username=None):
    """Validate ``changes`` over the settings in force and store them as a new, audited version.

    Raises :class:`SettingsError` (nothing stored) when the result could not drive an analysis.
    ``username`` names the author in the audit log when there is no ``user`` (the CLI).
    """
    number, before = current(survey)
    settings = validate({**before, **changes}, definition_of(survey.latest_version))
    changed = sorted(k for k, v in settings.items() if before.get(k) != v)
    row = AnalysisSettings(
        survey_id=survey.id,
        number=number + 1,
        settings=settings,
        created_by_id=getattr(user, "id", None),
    )
    db.session.add(row)
    db.session.flush()
    author = {} if user is not None or username is None else {"username": username}
    audit.record(
        "settings.change",
        survey_id=survey.id,
        user=user,
        version=row.number,
        changed=changed,
        **author,
    )
    return row


def as_yaml(settings):
    """Settings as the YAML that ``survey settings KEY --load`` reads (codes as numbers)."""
    readable = dict(settings)
    readable["margins"] = {
        var: {int(code): _plain(n) for code, n in cells.items()}
        for var, cells in settings["margins"].items()
    }
    readable["score_table"] = {int(c): _plain(p) for c, p in settings["score_table"].items()}
    return yaml.safe_dump(readable, allow_unicode=True, sort_keys=False)


def _plain(number):
    number = float(number)
    return int(number) if number.is_integer() else number


def parse_margins_csv(text):
    """Margins from CSV text with columns variable,code,count."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames or {"variable", "code", "count"} - set(reader.fieldnames):
        raise SettingsError(_("The margins CSV needs the columns variable,code,count."))
    margins = {}
    for line, row in enumerate(reader, start=2):
        try:
            code = str(int(row["code"]))
            count = float(row["count"])
        except (TypeError, ValueError):
            raise SettingsError(
                _(
                    "Margins line %(line)d: code must be a whole number and count a number.",
                    line=line,
                )
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
                _("Cannot read %(part)s; write code:score pairs.", part=repr(part.strip()))
            ) from None
    return table


def parse_rubric(text):
    """A rubric from YAML text (the format of the shipped ``*.rubric.yaml``); checked on saving."""
    try:
        return yamlsafe.safe_load(text)
    except yamlsafe.YamlRefused as exc:
        raise SettingsError(_("The rubric is not valid YAML: %(error)s", error=str(exc))) from None


def parse_settings(text):
    """Settings from the YAML text printed by :func:`as_yaml` (checked on saving)."""
    try:
        settings = yamlsafe.safe_load(text)
    except yamlsafe.YamlRefused as exc:
        raise SettingsError(
            _("The settings are not valid YAML: %(error)s", error=str(exc))
        ) from None
    if not isinstance(settings, dict):
        raise SettingsError(_("The settings must be a mapping of setting names to values."))
    return settings
