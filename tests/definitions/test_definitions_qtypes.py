"""Question types: form fields, validation of what a browser may send, answer rows and back."""

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form

from surveyapp import create_app
from surveyapp.definitions import load_text
from surveyapp.definitions.qtypes import REGISTRY
from surveyapp.definitions.qtypes import question_type
from surveyapp.definitions.qtypes import xlsform_markers
from surveyapp.definitions.qtypes import xlsform_reader

DEFINITION = """
key: types
title: {zh: 题型}
scales:
  s:
    - {code: 5, label: {zh: 好, en: Good}}
    - {code: 1, label: {zh: 差, en: Bad}}
    - {code: 9, label: {zh: 不知道, en: "Don't know"}, substantive: false}
questions:
  - key: single
    type: single
    required: true
    text: {zh: 单选}
    choices: [{code: 1, label: {zh: 是}}, {code: 2, label: {zh: 否}}]
  - key: demo
    type: demographic
    text: {zh: 区}
    choices: [{code: 1, label: {zh: 东}}, {code: 2, label: {zh: 西}}]
  - {key: likert, type: likert, scale: s, text: {zh: 量}}
  - {key: note, type: note, text: {zh: 说明}}
  - key: group
    type: likert_group
    scale: s
    required: true
    text: {zh: 组}
    items: [{key: i1, label: {zh: 一}}, {key: i2, label: {zh: 二}}]
  - {key: rating, type: rating, text: {zh: 分}}
  - key: multi
    type: multiple
    max_choices: 2
    text: {zh: 多}
    choices: [{code: 1, label: {zh: 一}}, {code: 2, label: {zh: 二}}, {code: 3, label: {zh: 三}}]
  - {key: number, type: number, min: 0, max: 10, text: {zh: 数}}
  - {key: text, type: text, required: true, max_length: 5, text: {zh: 字}}
  - {key: long, type: long_text, text: {zh: 长}}
"""


@pytest.fixture(scope="module")
def definition():
    return load_text(DEFINITION, "types.yaml")


@pytest.fixture(scope="module")
def plain_app():
    """An app for request contexts only: building fields needs no database."""
    return create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


@pytest.fixture
def request_context(plain_app):
    with plain_app.test_request_context("/"):
        yield


def bind(question, data):
    """A plain WTForms form holding only ``question``'s fields, bound to ``data``."""
    pairs = question_type(question.type).fields(question, "zh_CN")
    form_class = type("OneQuestion", (Form,), dict(pairs))
    form = form_class(formdata=MultiDict(data))
    return form, [form[name] for name, _ in pairs]


def round_trip(question, data):
    form, fields = bind(question, data)
    assert all([field.validate(form) for field in fields]), {f.name: f.errors for f in fields}
    qtype = question_type(question.type)
    rows = qtype.rows(question, {field.name: field.data for field in fields})
    return rows, qtype.values(question, rows)


def test_every_registered_type_is_in_the_test_definition(definition):
    assert {q.type for q in definition.questions} == set(REGISTRY)


@pytest.mark.parametrize(
    ("key", "data", "rows", "values"),
    [
        ("single", [("single", "2")], [("single", 2, None, None)], {"single": 2}),
        ("demo", [("demo", "1")], [("demo", 1, None, None)], {"demo": 1}),
        ("likert", [("likert", "9")], [("likert", 9, None, None)], {"likert": 9}),
        (
            "group",
            [("i1", "5"), ("i2", "1")],
            [("i1", 5, None, None), ("i2", 1, None, None)],
            {"i1": 5, "i2": 1},
        ),
        ("rating", [("rating", "0")], [("rating", 0, None, None)], {"rating": 0}),
        ("rating", [("rating", "10")], [("rating", 10, None, None)], {"rating": 10}),
        (
            "multi",
            [("multi", "3"), ("multi", "1")],
            [("multi", 1, None, None), ("multi", 3, None, None)],
            {"multi": [1, 3]},
        ),
        ("multi", [], [], {"multi": []}),
        ("number", [("number", " 7.25 ")], [("number", None, 7.25, None)], {"number": 7.25}),
        ("number", [("number", "")], [], {}),
        ("text", [("text", "  你好 ")], [("text", None, None, "你好")], {"text": "你好"}),
        ("long", [("long", "一\n二")], [("long", None, None, "一\n二")], {"long": "一\n二"}),
        ("long", [], [], {}),
    ],
)
def test_round_trip(definition, request_context, key, data, rows, values):
    question = definition.question(key)
    got_rows, got_values = round_trip(question, data)
    assert [tuple(r) for r in got_rows] == rows
    assert got_values == values
    # Values can be rebuilt from the stored rows alone (as re-display and conditions need).
    assert question_type(question.type).values(question, got_rows) == values


@pytest.mark.parametrize(
    ("key", "data", "message"),
    [
        ("single", [], "请回答本题。"),
        ("single", [("single", "3")], "请从列出的选项中选择。"),
        ("single", [("single", "x")], "请从列出的选项中选择。"),
        ("group", [("i1", "5")], "请回答本题。"),
        ("rating", [("rating", "11")], "请从列出的选项中选择。"),
        ("multi", [("multi", "1"), ("multi", "2"), ("multi", "3")], "最多选择 2 项。"),
        ("multi", [("multi", "4")], "请从列出的选项中选择。"),
        ("number", [("number", "11")], "请输入 0 到 10 之间的数字。"),
        ("number", [("number", "inf")], "请输入数字，例如 12。"),
        ("number", [("number", "1" * 40)], "请输入数字，例如 12。"),
        ("text", [("text", "   ")], "请回答本题。"),
        ("text", [("text", "六个字六个字")], "请控制在 5 个字以内。"),
    ],
)
def test_invalid_input_is_refused_with_a_message(definition, plain_app, key, data, message):
    with plain_app.test_request_context("/?lang=zh_CN"):
        question = definition.question(key)
        form, fields = bind(question, data)
        results = [field.validate(form) for field in fields]
        assert not all(results)
        assert message in [str(e) for field in fields for e in field.errors]


def test_choice_fields_offer_the_choices_in_the_respondents_language(definition, plain_app):
    with plain_app.test_request_context("/"):
        question = definition.question("likert")
        pairs = question_type("likert").fields(question, "en")
        form = type("F", (Form,), dict(pairs))()
        assert [(opt.data, opt.label.text) for opt in form["likert"]] == [
            (5, "Good"),
            (1, "Bad"),
            (9, "Don't know"),
        ]


@pytest.mark.parametrize("qtype", [t for t in REGISTRY.values() if t.xlsform_reads])
def test_each_type_reads_back_from_the_xlsform_row_it_writes(qtype):
    cells = qtype.xlsform_cells("list")
    written = cells["type"].split(" ")[0].replace("_", " ")
    assert written in qtype.xlsform_reads
    found = xlsform_reader(written, cells.get("appearance", ""), cells.get("surveyapp_type", ""))
    assert found is qtype


def test_an_xlsform_marker_or_appearance_that_does_not_fit_falls_back_to_the_plain_type():
    assert xlsform_reader("text", "", "demographic").name == "text"
    assert xlsform_reader("select one", "minimal", "").name == "single"
    assert xlsform_reader("select one", "likert", "no-such-type").name == "likert"
    assert xlsform_reader("geopoint") is None
    assert set(xlsform_markers()) == {"demographic", "rating"}
