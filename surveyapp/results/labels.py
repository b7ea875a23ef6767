"""Translated names of the fixed parts of the score table (its title, the four first-level
indicators of the evaluation framework, the total) and of the consistency check's fields.

The score table keeps the Chinese names the evaluation report uses (its rows are matched by
them); pages show these in the console's language. Other names (indicators from a rubric,
the example table's title) are content and are shown as written.
"""

from flask_babel import lazy_gettext as _l

from ..message_templates import N_
from ..message_templates import translate_known

FIXED_NAMES = {
    "绩效评价得分表": _l("Performance evaluation score table"),
    "项目决策": _l("Project decision-making"),
    "项目过程": _l("Project process"),
    "项目产出": _l("Project outputs"),
    "项目效益": _l("Project benefits"),
    "合计": _l("Total"),
}
CHECK_FIELDS = {
    "rate": _l("score rate"),
    "score": _l("points"),
    "weight": _l("weight"),
    "grade": _l("grade"),
}


def score_name(name):
    """A score-table name in the console's language (content names as written)."""
    return FIXED_NAMES.get(name, name)


def check_field(field):
    """The translated name of a field the consistency check compares (KeyError if unknown)."""
    return CHECK_FIELDS[field]


# The statistics library's weighting errors (analysis never imports Flask, so it speaks English):
# the ones an evaluator's margins can cause, shown in the console's language.
WEIGHTING_ERRORS = (
    N_("%(variable)s: categories %(categories)s occur in the sample but have no population target"),
    N_("%(variable)s: target categories %(categories)s have no respondents"),
    N_("%(variable)s: targets must be finite and non-negative"),
    N_("%(variable)s is missing for %(n)d respondents; impute or drop them before weighting"),
    N_("margin targets do not sum to the same total: %(detail)s"),
    N_(
        "raking did not converge in %(n)d iterations "
        "(largest relative margin error %(error)s > tol %(tol)s)"
    ),
)


def weighting_error(text):
    """A weighting error of the statistics library in the console's language."""
    return translate_known(text, WEIGHTING_ERRORS)


def number(value, spec="%.1f", scale=1.0):
    """``value`` (times ``scale``) formatted with ``spec``, or an en dash when there is none."""
    if value is None or value != value:  # None or NaN
        return "–"
    return spec % (scale * value)


def p_text(p):
    """A p-value as shown in tables: ``< 0.0001``, four decimals, or an en dash when undefined."""
    if p is None or p != p:
        return "–"
    return "< 0.0001" if p < 0.0001 else "%.4f" % p
