"""Template helpers of the results pages: weighting errors in the console's language, numbers."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..message_templates import N_
from ..message_templates import translate_known

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


# Why a figure falls short of the NCHS presentation standards: the statistics library's reasons
# (analysis.RELIABILITY_FLAGS, English identifiers) as readers are told them.
FLAG_REASONS = {
    "no base": _l("no answers"),
    "effective n < 30": _l("effective sample size below 30"),
    "df < 8": _l("fewer than 8 degrees of freedom"),
    "CI width >= 30 points": _l("interval 30 points wide or more"),
    "relative CI width > 130%": _l("interval wider than 130% of the estimate"),
    "relative SE > 30%": _l("relative standard error above 30%"),
}


def flag_text(flags):
    """The reasons of a figure's reliability flags, joined, in the current language ("": none)."""
    # TRANSLATORS: the separator between reasons a figure is not fit to cite.
    return _("; ").join(str(FLAG_REASONS[f]) for f in flags)


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
