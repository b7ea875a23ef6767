"""Forms of the evaluation pages (the per-indicator fields are read by the services)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import TextAreaField
from wtforms.validators import Length


class InputsForm(FlaskForm):
    """CSRF protection and the optional CSV upload of the counts page."""

    counts_file = FileField(_l("Or import a CSV file (columns name,value)"))


class TextsForm(FlaskForm):
    """The evaluator's texts: problems found and recommendations."""

    problems = TextAreaField(_l("Problems found (存在的问题)"), validators=[Length(max=20000)])
    suggestions = TextAreaField(_l("Recommendations (建议)"), validators=[Length(max=20000)])
