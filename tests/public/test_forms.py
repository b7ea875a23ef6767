"""Questionnaire forms bound by copying a prototype field behave like freshly bound ones."""

import gc
import weakref

from werkzeug.datastructures import MultiDict
from wtforms.meta import DefaultMeta

from surveyapp.definitions import builtin_path
from surveyapp.definitions import load_file
from surveyapp.public import forms
from surveyapp.public.forms import Questionnaire


def _fresh_fields(monkeypatch, definition, locale, formdata):
    """The same form with every field bound by WTForms itself (no prototypes)."""
    with monkeypatch.context() as patched:
        patched.setattr(forms.QuestionnaireForm.Meta, "bind_field", DefaultMeta.bind_field)
        return Questionnaire(definition, locale, formdata)


def test_copied_fields_keep_their_answers_and_errors_to_themselves(app):
    definition = load_file(builtin_path("nanyang-dcm"))
    with app.test_request_context("/s/nanyang-dcm", method="POST"):
        good = Questionnaire(definition, "zh_CN", MultiDict({"district": "2", "sat_roads": "3"}))
        bad = Questionnaire(definition, "zh_CN", MultiDict({"district": "99", "sat_roads": "x"}))
        assert good.form["answer__district"] is not bad.form["answer__district"]
        good.validate()
        bad.validate()
        assert (
            good.form["answer__district"].data == 2 and good.form["answer__district"].errors == []
        )
        assert bad.form["answer__district"].errors  # 99 is not one of the codes
        assert bad.form["answer__sat_roads"].errors
        assert (
            good.form["answer__sat_roads"].data == 3 and not good.form["answer__sat_roads"].errors
        )
        # Each field belongs to its own form (CSRF and translations go through it).
        assert good.form["answer__district"]._form == good.form != bad.form
        assert bad.form["answer__district"].meta is bad.form.meta


def test_a_form_is_freed_as_soon_as_it_is_dropped(app):
    """Fields refer to their form weakly, so a form and its fields are no reference cycle: they
    go when the request does, without waiting for (and paying) a garbage collection."""
    definition = load_file(builtin_path("nanyang-dcm"))
    gc.disable()
    try:
        with app.test_request_context("/s/nanyang-dcm", method="POST"):
            Questionnaire(definition, "zh_CN")  # binds (and keeps) the prototypes
            questionnaire = Questionnaire(definition, "zh_CN", MultiDict({"district": "2"}))
            questionnaire.validate()
            str(questionnaire.form["csrf_token"])
            form = weakref.ref(questionnaire.form)
            field = weakref.ref(questionnaire.form["answer__district"])
            del questionnaire
            assert form() is None and field() is None
    finally:
        gc.enable()


def test_copied_fields_render_and_validate_as_freshly_bound_ones(app, monkeypatch):
    definition = load_file(builtin_path("nanyang-dcm"))
    posted = MultiDict(
        [("district", "2"), ("heard_via", "2"), ("heard_via", "7"), ("years_lived", "abc")]
    )
    for locale in ("zh_CN", "en"):
        with app.test_request_context("/s/nanyang-dcm", method="POST"):
            Questionnaire(definition, locale)  # binds (and keeps) the prototypes
            copied = Questionnaire(definition, locale, posted)
            fresh = _fresh_fields(monkeypatch, definition, locale, posted)
            assert copied.validate() == fresh.validate()
            for question in definition.questions:
                for a, b in zip(copied.fields_of(question), fresh.fields_of(question), strict=True):
                    assert str(a) == str(b)
                    assert str(a.label) == str(b.label)
                    assert a.errors == b.errors
                    assert a.data == b.data


def test_a_posted_form_signs_a_csrf_token_only_when_shown(app):
    from flask import g

    definition = load_file(builtin_path("nanyang-dcm"))
    with app.test_request_context("/s/nanyang-dcm", method="POST", data={"district": "2"}):
        questionnaire = Questionnaire(definition, "zh_CN", MultiDict({"district": "2"}))
        questionnaire.validate()
        assert "csrf_token" not in g  # nothing signed for a post that is not shown again
        rendered = str(questionnaire.form.csrf_token)
        assert g.csrf_token and f'value="{g.csrf_token}"' in rendered
