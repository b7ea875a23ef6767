"""The questionnaire form, rebuilt from a survey definition, validated in question order.

Each question's fields come from its registered type (:mod:`surveyapp.definitions.qtypes`). A
question whose ``relevant`` condition is false over the answers before it is neither validated
nor stored, so required-ness only applies to the questions a respondent is actually asked.
"""

import weakref
from functools import lru_cache

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.csrf import _FlaskFormCSRF
from wtforms import HiddenField
from wtforms import RadioField
from wtforms import SelectMultipleField
from wtforms.csrf.core import CSRFTokenField

from ..definitions import conditions
from ..definitions.qtypes import question_type
from ..i18n import text_in

ATTRIBUTE_PREFIX = "answer__"
# Shown when an answer breaks a question's constraint and its author gave no message.
CONSTRAINT_FAILED = _l("This answer is not accepted here. Please check it.")


@lru_cache(maxsize=512)
def parsed_condition(source):
    """The parsed ``relevant`` condition (sources were validated when the definition loaded)."""
    return conditions.parse(source)


class LazyCSRFTokenField(CSRFTokenField):
    """Flask-WTF's CSRF field, making the token to show when a page renders it.

    WTForms signs a fresh token for every form it processes; a valid submission is answered with
    a redirect and never shows it.
    """

    def process(self, *args, **kwargs):
        HiddenField.process(self, *args, **kwargs)

    @property
    def current_token(self):
        token = self.__dict__.get("_current_token")
        if token is None:
            token = self._current_token = self.csrf_impl.generate_csrf_token(self)
        return token

    @current_token.setter
    def current_token(self, value):
        self._current_token = value


class LazyFormCSRF(_FlaskFormCSRF):
    """Flask-WTF's CSRF check (the session's token, signed and timed) with the lazy field."""

    field_class = LazyCSRFTokenField


class QuestionnaireForm(FlaskForm):
    """Base class of the per-definition forms; CSRF comes from Flask-WTF."""

    class Meta:
        csrf_class = LazyFormCSRF

        def bind_field(self, form, unbound_field, options):
            """Bind a question's field as a copy of one bound once a process (:func:`_copy_of`).

            The CSRF field, which WTForms makes afresh for every form, is bound as usual. Every
            field refers to its form weakly: the form holds its fields, and with a strong
            reference back each form would be a reference cycle, left for the garbage collector
            (its collections were 2% of a submission's CPU) instead of freed when the request
            ends.
            """
            if issubclass(unbound_field.field_class, CSRFTokenField):
                field = unbound_field.bind(form=form, **options)
                field._form = weakref.proxy(form)
                return field
            cached = _PROTOTYPES.get(unbound_field)
            if cached is None or cached[0] != options:
                cached = _PROTOTYPES[unbound_field] = (
                    options,
                    unbound_field.bind(form=form, **options),
                )
            return _copy_of(cached[1], weakref.proxy(form))


def _copy_of(prototype, form):
    """A bound field for ``form`` that shares ``prototype``'s configuration.

    Binding runs ``Field.__init__`` (label, flags, validators, choices) for every field of every
    form: a fifth of a submission's work, for a result that is the same each time. What a field
    keeps per form (``data``, ``raw_data``, ``errors``) is set by ``process`` and ``validate``
    on the copy; the shared parts (choices, validators, label, flags) are only read.
    """
    field = object.__new__(type(prototype))
    field.__dict__.update(prototype.__dict__)
    field._form = form
    field.meta = form.meta
    return field


# (id(definition), locale) -> (definition, form class, field names). Definitions are immutable
# and cached per version by definitions.store, so a built class stays valid; keeping the
# definition in the value guards against a recycled id().
_FORM_CLASSES = {}
# The question fields of the built classes -> (binding options, bound prototype).
_PROTOTYPES = {}


def build_form(definition, locale, formdata=None):
    """A form for ``definition`` in ``locale``, bound to ``formdata`` (a POST) or empty (a GET).

    Returns ``(form, field_names)``: ``field_names`` maps question key -> its fields' keys in the
    form (``form[key]``); each field's ``name`` is the answer key.
    """
    form_class, field_names = form_class_for(definition, locale)
    return form_class(formdata=formdata), field_names


def form_class_for(definition, locale):
    """The form class of ``definition`` in ``locale`` and its field names (built once a process)."""
    cache_key = (id(definition), str(locale))
    cached = _FORM_CLASSES.get(cache_key)
    if cached is not None and cached[0] is definition:
        return cached[1], cached[2]
    if len(_FORM_CLASSES) > 256:
        _FORM_CLASSES.clear()
        _PROTOTYPES.clear()
    attrs, field_names = {}, {}
    for question in definition.questions:
        names = field_names[question.key] = []
        for name, unbound in question_type(question.type).fields(question, locale):
            # The HTML name (and id) stays the answer key, while the attribute on the form
            # cannot shadow the form's own (a question called "data", "errors" or "meta").
            unbound.name = name
            attrs[ATTRIBUTE_PREFIX + name] = unbound
            names.append(ATTRIBUTE_PREFIX + name)
    form_class = type("SurveyForm", (QuestionnaireForm,), attrs)
    _FORM_CLASSES[cache_key] = (definition, form_class, field_names)
    return form_class, field_names


class Questionnaire:
    """A definition's form plus which questions apply, and after validation the answer rows."""

    def __init__(self, definition, locale, formdata=None):
        self.definition = definition
        self.locale = locale
        self.form, self.field_names = build_form(definition, locale, formdata)
        self.relevant = {q.key: True for q in definition.questions}
        self.rows = []
        self.answers = {}
        self._csrf_valid = None

    def fields_of(self, question):
        """The bound fields of ``question``, in order."""
        return [self.form[name] for name in self.field_names[question.key]]

    @staticmethod
    def type_of(question):
        """The question's type (:mod:`~..definitions.qtypes`): its ``layout`` and ``options_style``."""
        return question_type(question.type)

    def csrf_valid(self):
        """Whether the CSRF token in the posted form is valid (and not expired); checked once."""
        if self._csrf_valid is None:
            field = getattr(self.form, "csrf_token", None)  # absent when WTF_CSRF_ENABLED is off
            self._csrf_valid = field is None or field.validate(self.form)
        return self._csrf_valid

    def validate(self):
        """Validate relevant questions in order; collect rows and answers of the valid ones.

        A question's condition sees only the answers of earlier relevant questions that passed
        validation, exactly as the stored response will (and as survey.js evaluates it).
        """
        ok = self.csrf_valid()
        self.rows, self.answers = [], {}
        for question in self.definition.questions:
            fields = self.fields_of(question)
            relevant = question.relevant is None or parsed_condition(question.relevant).holds(
                self.answers
            )
            self.relevant[question.key] = relevant
            if not relevant:
                for field in fields:
                    field.errors = []
                continue
            # Validate every field (not all() short-circuiting) so each item shows its own error.
            results = [field.validate(self.form) for field in fields]
            if not all(results):
                ok = False
                continue
            qtype = question_type(question.type)
            rows = qtype.rows(question, {field.name: field.data for field in fields})
            values = qtype.values(question, rows)
            if rows and not self._meets_constraint(question, values):
                fields[0].errors = [self._constraint_message(question)]
                ok = False
                continue
            self.rows.extend(rows)
            self.answers.update(values)
        return ok

    def _meets_constraint(self, question, values):
        """Whether an answered question meets its ``constraint`` (over the answers so far)."""
        if question.constraint is None:
            return True
        return parsed_condition(question.constraint).holds({**self.answers, **values})

    def _constraint_message(self, question):
        if question.constraint_message:
            return text_in(question.constraint_message, self.locale)
        return str(CONSTRAINT_FAILED)

    def errors(self):
        """``(question, field)`` pairs with errors, in page order (for the error summary)."""
        found = []
        for question in self.definition.questions:
            for field in self.fields_of(question):
                if field.errors:
                    found.append((question, field))
        return found

    @staticmethod
    def anchor(field):
        """The id of the first input of ``field`` (what an error-summary link should focus)."""
        if isinstance(field, (RadioField, SelectMultipleField)):
            return f"{field.id}-0"
        return field.id

    def condition_tree(self, question):
        """The parsed ``relevant`` condition as nested lists (for survey.js), or None."""
        if question.relevant is None:
            return None
        return parsed_condition(question.relevant).tree
