"""Console forms: definition upload, status, users, distribution, invitations, quotas."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from flask_wtf.file import FileRequired
from wtforms import BooleanField
from wtforms import HiddenField
from wtforms import IntegerField
from wtforms import PasswordField
from wtforms import SelectField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import EqualTo
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional
from wtforms.validators import ValidationError
from wtforms.widgets import HiddenInput

from ..channels import is_channel
from ..models.user import ROLES


def role_choices():
    """(value, label) pairs for a role select, in the user's language."""
    from .nav import role_label

    return [(role, role_label(role)) for role in ROLES]


class UploadForm(FlaskForm):
    """A survey definition file: YAML or an XLSForm workbook."""

    definition = FileField(
        _l("Definition file (YAML or XLSForm .xlsx)"), validators=[FileRequired()]
    )


class ConfirmVersionForm(FlaskForm):
    """Publishing a new version of a live survey after seeing its changes."""

    definition = HiddenField(validators=[DataRequired()])
    source = HiddenField(validators=[DataRequired(), Length(max=255)])
    base = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    acknowledge = BooleanField(
        _l("I understand that answers before and after these changes cannot be compared.")
    )


class ActionForm(FlaskForm):
    """A bare button: only the CSRF token travels."""


class StatusForm(FlaskForm):
    """Open or close a survey."""

    status = HiddenField(validators=[DataRequired()])


class UserCreateForm(FlaskForm):
    """A new console account."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    role = SelectField(_l("Role"), choices=[])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices()


class RoleForm(FlaskForm):
    """A user's new role."""

    role = SelectField(_l("Role"), choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices()


def _channel_tag(_form, field):
    if not is_channel(field.data):
        raise ValidationError(_l("Use 1 to 32 lower-case letters, digits and hyphens."))


class ChannelForm(FlaskForm):
    """A custom channel tag for a distribution link."""

    class Meta:
        csrf = False

    ch = StringField(
        _l("Custom channel tag"),
        validators=[
            DataRequired(),
            _channel_tag,
        ],
    )


class InvitationForm(FlaskForm):
    """How many new single-use tokens to generate."""

    count = IntegerField(
        _l("Number of new tokens"),
        validators=[
            InputRequired(),
            NumberRange(min=1, max=5000, message=_l("Between 1 and 5000.")),
        ],
    )


class TokenSettingForm(FlaskForm):
    """Whether the public form needs an invitation token."""

    requires_token = BooleanField(_l("Only people with an invitation token may answer"))


class QuotaForm(FlaskForm):
    """Targets per code of one demographic question; ``target_<code>`` fields added per survey."""

    question = HiddenField(validators=[DataRequired()])
    quota_enforced = BooleanField(_l("Turn away respondents whose cell is full"))


def quota_form_for(question, targets, enforced):
    """A :class:`QuotaForm` with one optional whole-number field per code of ``question``."""

    class _Form(QuotaForm):
        pass

    for choice in question.choices:
        setattr(
            _Form,
            f"target_{choice.code}",
            IntegerField(
                validators=[
                    Optional(),
                    NumberRange(min=0, max=1_000_000, message=_l("A whole number, 0 or more.")),
                ],
                default=targets.get(choice.code),
            ),
        )
    return _Form(question=question.key, quota_enforced=enforced)
