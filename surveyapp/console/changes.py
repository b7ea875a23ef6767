"""Names of definition changes (see surveyapp.definitions.diff), in the user's language."""

from flask_babel import lazy_gettext as _l

CHANGE_LABELS = {
    "title": _l("Title changed"),
    "added": _l("Question added"),
    "removed": _l("Question removed"),
    "reworded": _l("Question reworded"),
    "moved": _l("Question moved"),
    "type": _l("Question type changed"),
    "choice_added": _l("Choice added"),
    "choice_removed": _l("Choice removed"),
    "choice_relabelled": _l("Choice recoded (a code now has another label)"),
    "choice_substantive": _l("Choice counted differently (substantive or not)"),
    "item_added": _l("Likert item added"),
    "item_removed": _l("Likert item removed"),
    "item_reworded": _l("Likert item reworded"),
    "condition": _l("Asked of other respondents (condition changed)"),
    "required": _l("Required or not changed"),
    "help": _l("Help text changed"),
    "constraint": _l("Limits or constraint changed"),
}


def change_label(kind):
    """The translated name of a kind of change."""
    return CHANGE_LABELS[kind]
