"""Forms of the results pages: analysis settings."""

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DecimalField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange

from ..i18n import text_in
from .settings_check import CI_METHODS
from .settings_check import weighting_questions


class SettingsForm(FlaskForm):
    """Weighting, intervals, scoring, rubric and wave comparison."""

    weighting = SelectField(
        _l("Weighting"),
        choices=[
            SelectChoice("rake", _l("Rake to all margins")),
            SelectChoice("poststratify", _l("Post-stratify on one variable")),
            SelectChoice("none", _l("No weighting")),
        ],
    )
    # Its options are the survey's weighting questions (``definition=``); saving checks the value.
    poststratify_variable = SelectField(
        _l("Post-stratification variable"), choices=[], validate_choice=False
    )
    margins = TextAreaField(_l("Population margins (CSV: variable,code,count)"))
    margins_file = FileField(_l("…or upload a CSV file"))
    ci_method = SelectField(
        _l("Interval method for shares"), choices=[SelectChoice(m, m) for m in CI_METHODS]
    )
    ci_level = DecimalField(
        _l("Confidence level"), places=3, validators=[NumberRange(min=0.5, max=0.999)]
    )
    scoring = SelectField(
        _l("Likert scores"),
        choices=[
            SelectChoice("linear", _l("Linear 0–100")),
            SelectChoice("table", _l("Score table")),
        ],
    )
    score_table = StringField(_l("Score table (code:score, …)"))
    rubric = TextAreaField(_l("Indicator rubric (YAML)"))
    comparison_by = SelectField(
        _l("Compare two waves by"),
        choices=[
            SelectChoice("none", _l("No comparison")),
            SelectChoice("dates", _l("Date ranges")),
            SelectChoice("versions", _l("Questionnaire versions")),
        ],
    )
    wave_a = StringField(_l("Wave A (from,to dates or version numbers)"))
    wave_b = StringField(_l("Wave B (from,to dates or version numbers)"))

    def __init__(self, *args, definition=None, **kwargs):
        super().__init__(*args, **kwargs)
        if definition is not None:
            locale = get_locale()
            self.poststratify_variable.choices = [
                SelectChoice(q.key, f"{q.key} ({text_in(q.text, locale)})")
                for q in weighting_questions(definition)
            ]
