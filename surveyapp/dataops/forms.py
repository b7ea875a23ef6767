"""Forms of the data operations pages (CSRF-protected through Flask-WTF)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms import RadioField
from wtforms import SelectChoice
from wtforms import TextAreaField
from wtforms import validators

from .responses import MAX_REASON


def _strip(value):
    return value.strip() if isinstance(value, str) else value


_REASON = [
    validators.DataRequired(message=_l("Please write the reason.")),
    validators.Length(max=MAX_REASON),
]


class StatusForm(FlaskForm):
    """Exclude or re-include one response."""

    status = RadioField(
        _l("Status"),
        choices=[
            SelectChoice("excluded", _l("Exclude")),
            SelectChoice("valid", _l("Include again")),
        ],
        validators=[validators.InputRequired()],
    )
    reason = TextAreaField(_l("Reason"), validators=_REASON, filters=[_strip])


class BulkExcludeForm(FlaskForm):
    """Exclude every response carrying one flag; ``confirmed`` is set by the confirmation page."""

    flag = HiddenField(
        default="speeder", validators=[validators.AnyOf(("speeder", "straightlining", "duplicate"))]
    )
    reason = TextAreaField(_l("Reason"), validators=_REASON, filters=[_strip])
    confirmed = HiddenField(default="")


class DeletionRequestForm(FlaskForm):
    """Ask for responses to be deleted: by ids, or by the current filter (hidden fields)."""

    ids = TextAreaField(_l("Response ids"), validators=[validators.Length(max=20000)])
    reason = TextAreaField(_l("Reason"), validators=_REASON, filters=[_strip])
    status = HiddenField()
    flag = HiddenField()
    group = HiddenField()
    channel = HiddenField()
    date_from = HiddenField()
    date_to = HiddenField()


class DecisionForm(FlaskForm):
    """Approve or reject a deletion request."""

    decision = RadioField(
        _l("Decision"),
        choices=[
            SelectChoice("approve", _l("Approve and delete")),
            SelectChoice("reject", _l("Reject")),
        ],
        validators=[validators.InputRequired()],
    )
    note = TextAreaField(_l("Note"), validators=[validators.Length(max=MAX_REASON)])


class ActionForm(FlaskForm):
    """A button that only needs its CSRF token (recompute flags)."""
