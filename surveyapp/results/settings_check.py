"""Checking analysis settings against a survey's definition before they are stored.

:func:`validate` is the one gate for settings from the console page, ``survey settings --load``
and any service: it returns the settings in their stored form (choice codes as strings, counts as
floats) or raises :class:`SettingsError` with a translated message naming the setting (and the
question and code). Nothing is corrected silently.
"""

import datetime
import math

from flask_babel import gettext as _

from analysis import PROPORTION_METHODS

from ..definitions.qtypes import question_type

WEIGHTING_METHODS = ("rake", "poststratify", "none")
# Every share interval the analysis package computes (Estimate.ci, describe_items).
CI_METHODS = PROPORTION_METHODS
SCORING_METHODS = ("table", "linear")
COMPARISONS = ("none", "dates", "versions")
# Relative tolerance for "every raking margin adds up to the same total".
TOTAL_TOLERANCE = 1e-6


class SettingsError(ValueError):
    """Settings input that cannot be used; the message says why."""


def validate(settings, definition):
    """The settings in stored form, or :class:`SettingsError` naming the first bad setting."""
    if not isinstance(settings, dict):
        raise SettingsError(_("The settings must be a mapping of setting names to values."))
    unknown = sorted(str(k) for k in settings if k not in CHECKS)
    if unknown:
        raise SettingsError(
            _(
                "Unknown setting %(key)s (known: %(known)s).",
                key=unknown[0],
                known=", ".join(CHECKS),
            )
        )
    missing = [k for k in CHECKS if k not in settings]
    if missing:
        raise SettingsError(_("The setting %(key)s is missing.", key=missing[0]))
    clean = {key: check(settings[key], definition) for key, check in CHECKS.items()}
    _check_across(clean)
    validate_rubric(clean["rubric"], definition)
    return clean


def weighting_questions(definition):
    """Questions whose answers can carry population margins (single-code choice questions)."""
    return tuple(q for q in definition.questions if question_type(q.type).weightable)


def _choice(value, allowed, key):
    if value not in allowed:
        raise SettingsError(
            _(
                "%(key)s: %(value)s is not one of %(allowed)s.",
                key=key,
                value=repr(value),
                allowed=", ".join(allowed),
            )
        )
    return value


def _number(value, key):
    """A finite number (not a bool, not text), or an error naming ``key``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise SettingsError(_("%(key)s: %(value)s is not a number.", key=key, value=repr(value)))
    return float(value)


def _code(value, key):
    """A choice code written as a whole number (``11`` or ``"11"``) in its stored form ``"11"``."""
    if isinstance(value, bool):
        value = None
    try:
        code = int(value)
    except (TypeError, ValueError):
        code = None
    if code is None or str(code) != str(value).strip():
        raise SettingsError(
            _("%(key)s: code %(code)s is not a whole number.", key=key, code=repr(value))
        )
    return code


def _weighting(value, definition):
    return _choice(value, WEIGHTING_METHODS, "weighting")


def _margins(value, definition):
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SettingsError(_("margins: give population counts by question and choice code."))
    eligible = {q.key: q for q in weighting_questions(definition)}
    margins = {}
    for var, cells in value.items():
        question = eligible.get(var)
        if question is None:
            known = definition.question(str(var)) is not None
            raise SettingsError(
                _(
                    "margins: %(var)s is not a single-choice or demographic question of this "
                    "survey (weighting questions: %(keys)s).",
                    var=var,
                    keys=", ".join(eligible) or "-",
                )
                if known
                else _(
                    "margins: the survey has no question %(var)s (weighting questions: %(keys)s).",
                    var=var,
                    keys=", ".join(eligible) or "-",
                )
            )
        if not isinstance(cells, dict) or not cells:
            raise SettingsError(_("margins: %(var)s needs counts by choice code.", var=var))
        counts = {}
        for raw, count in cells.items():
            code = _code(raw, f"margins.{var}")
            if question.choice(code) is None:
                raise SettingsError(
                    _(
                        "margins: %(var)s has no choice %(code)s (codes: %(codes)s).",
                        var=var,
                        code=code,
                        codes=", ".join(map(str, question.codes)),
                    )
                )
            count = _number(count, f"margins.{var}.{code}")
            if count < 0:
                raise SettingsError(
                    _(
                        "margins: the count of %(var)s %(code)s is negative.",
                        var=var,
                        code=code,
                    )
                )
            counts[str(code)] = count
        lacking = [c.code for c in question.choices if c.substantive and str(c.code) not in counts]
        if lacking:
            raise SettingsError(
                _(
                    "margins: %(var)s lacks a count for code %(code)s.",
                    var=var,
                    code=lacking[0],
                )
            )
        if sum(counts.values()) <= 0:
            raise SettingsError(_("margins: the counts of %(var)s add up to zero.", var=var))
        margins[var] = counts
    return margins


def _poststratify_variable(value, definition):
    if value is None:
        return None
    keys = [q.key for q in weighting_questions(definition)]
    return _choice(value, keys, "poststratify_variable")


def _ci_method(value, definition):
    return _choice(value, CI_METHODS, "ci_method")


def _ci_level(value, definition):
    level = _number(value, "ci_level")
    if not 0.5 <= level < 1:
        raise SettingsError(_("ci_level must be between 0.5 and 1 (e.g. 0.95)."))
    return level


def _scoring(value, definition):
    return _choice(value, SCORING_METHODS, "scoring")


def _score_table(value, definition):
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SettingsError(_("score_table: give at least two code: score pairs."))
    scale_codes = {c.code for choices in definition.scales.values() for c in choices}
    table = {}
    for raw, points in value.items():
        code = _code(raw, "score_table")
        if scale_codes and code not in scale_codes:
            raise SettingsError(
                _(
                    "score_table: %(code)s is not a code of the survey's scales (%(codes)s).",
                    code=code,
                    codes=", ".join(map(str, sorted(scale_codes))),
                )
            )
        table[str(code)] = _number(points, f"score_table.{code}")
    return table


def _comparison(value, definition):
    if not isinstance(value, dict) or set(value) - {"by", "a", "b"}:
        raise SettingsError(_("comparison: give by, a and b."))
    by = _choice(value.get("by", "none"), COMPARISONS, "comparison.by")
    waves = {}
    for name in ("a", "b"):
        wave = value.get(name, ["", ""])
        # Unused bounds (no comparison) are kept as typed; a comparison needs from and to.
        if not isinstance(wave, list) or len(wave) > 2 or (by != "none" and len(wave) != 2):
            raise SettingsError(_("comparison.%(wave)s: give two values (from, to).", wave=name))
        wave = ["" if v is None else str(v).strip() for v in wave]
        for v in wave if by != "none" else ():
            _wave_bound(v, by, f"comparison.{name}")
        waves[name] = wave
    return {"by": by, **waves}


def _wave_bound(value, by, key):
    try:
        if by == "dates":
            datetime.date.fromisoformat(value)
        else:
            _code(value, key)
    except (ValueError, SettingsError):
        raise SettingsError(
            _(
                "%(key)s: %(value)s is not a date (YYYY-MM-DD).",
                key=key,
                value=repr(value),
            )
            if by == "dates"
            else _("%(key)s: %(value)s is not a version number.", key=key, value=repr(value))
        ) from None


def _rubric(value, definition):
    if not isinstance(value, dict) or not isinstance(value.get("indicators"), list):
        raise SettingsError(_("rubric: the rubric needs a list under 'indicators'."))
    return value


def _check_across(clean):
    """Rules across settings: a score table to score by; margins that agree with each other."""
    if clean["scoring"] == "table" and len(clean["score_table"]) < 2:
        raise SettingsError(_("score_table: give at least two code: score pairs."))
    method, margins = clean["weighting"], clean["margins"]
    if method == "none":
        return
    if not margins:
        raise SettingsError(_("weighting %(method)s needs population margins.", method=method))
    if method == "poststratify":
        var = clean["poststratify_variable"]
        if var not in margins:
            raise SettingsError(
                _(
                    "poststratify_variable: %(var)s has no margins.",
                    var=var if var is not None else "-",
                )
            )
        return
    totals = {var: sum(cells.values()) for var, cells in margins.items()}
    largest = max(totals.values())
    if any(abs(t - largest) > TOTAL_TOLERANCE * largest for t in totals.values()):
        shown = ", ".join(f"{var} {total:,.0f}" for var, total in totals.items())
        raise SettingsError(
            _("margins: every margin must add up to the same total (%(totals)s).", totals=shown)
        )


def validate_rubric(rubric, definition):
    """Refuse a rubric that cannot be scored on the survey's analysis plan (see :mod:`.rubric`).

    The single place rubric checks happen when settings are saved.
    """
    from ..definitions.plan import plan_for
    from .rubric import RubricError
    from .rubric import validate_rubric as check

    try:
        check(rubric, plan_for(definition))
    except RubricError as exc:
        raise SettingsError(_("rubric: %(problem)s", problem=str(exc))) from None


CHECKS = {
    "weighting": _weighting,
    "margins": _margins,
    "poststratify_variable": _poststratify_variable,
    "ci_method": _ci_method,
    "ci_level": _ci_level,
    "scoring": _scoring,
    "score_table": _score_table,
    "rubric": _rubric,
    "comparison": _comparison,
}
