"""YAML and definition bombs: aliases, deep nesting, long conditions and odd types are
definition errors naming where, never a crash or gigabytes of memory."""

import io
import re

import pytest

from surveyapp.definitions import DefinitionError
from surveyapp.definitions import load_text
from surveyapp.yamlsafe import YamlRefused
from surveyapp.yamlsafe import safe_load
from tests.conftest import login_as
from tests.console.conftest import csrf_token

HEAD = """
key: tiny
title: {zh: 小问卷, en: Tiny}
questions:
  - key: a
    type: single
    text: {zh: 甲, en: A}
    choices:
      - {code: 1, label: {zh: 是}}
      - {code: 2, label: {zh: 否}}
"""

LAUGHS = """
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
"""


def problems(body):
    with pytest.raises(DefinitionError) as caught:
        load_text(HEAD + body, "bomb.yaml")
    # Without the line and column each problem starts with.
    return " | ".join(re.sub(r"^line \d+, column \d+: ", "", p) for p in caught.value.problems)


def test_aliases_are_refused():
    with pytest.raises(YamlRefused, match="aliases"):
        safe_load(LAUGHS)
    with pytest.raises(DefinitionError, match="aliases"):
        load_text(LAUGHS, "laughs.yaml")


def test_deep_nesting_is_refused_with_where():
    deep = "  - key: b\n    type: text\n    text: {zh: " + "[" * 5000 + "]" * 5000 + "}\n"
    found = problems(deep)
    assert "nested deeper than" in found and "questions[2].text.zh" in found


def test_size_is_capped():
    with pytest.raises(YamlRefused, match="KB"):
        safe_load("a: " + "x" * (600 * 1024))


@pytest.mark.parametrize(
    "condition",
    [
        "(" * 5000 + "a == 1" + ")" * 5000,
        "not " * 5000 + "a == 1",
        " and ".join(["a == 1"] * 5000),
    ],
    ids=["parentheses", "not", "and-chain"],
)
def test_a_5000_deep_condition_names_the_question(condition):
    body = (
        "  - key: b\n    type: single\n    text: {zh: 乙}\n"
        f"    relevant: '{condition}'\n"
        "    choices:\n      - {code: 1, label: {zh: 是}}\n"
    )
    assert "question b: condition" in problems(body)


@pytest.mark.parametrize(
    "field, expected",
    [("type: [1]", "unknown question type"), ("scale: [1]", "scale")],
)
def test_odd_types_name_the_question(field, expected):
    if field.startswith("type"):
        body = f"  - key: b\n    {field}\n    text: {{zh: 乙}}\n"
    else:
        body = f"  - key: b\n    type: likert\n    {field}\n    text: {{zh: 乙}}\n"
    found = problems(body)
    assert found.startswith("question b:") and expected in found


def test_the_upload_answers_400_not_500(app, client, users):
    login_as(client, users["evaluator"])
    for body in (LAUGHS, HEAD + "  - key: b\n    type: [1]\n    text: {zh: 乙}\n"):
        data = {
            "file": (io.BytesIO(body.encode()), "bomb.yaml"),
            "csrf_token": csrf_token(client, "/console/surveys"),
        }
        with client.post("/console/surveys/upload", data=data) as response:
            assert response.status_code == 400, response.status_code


def test_a_rubric_with_aliases_is_refused_not_stored():
    from surveyapp.results.settings import SettingsError
    from surveyapp.results.settings import parse_rubric

    with pytest.raises(SettingsError, match="aliases"):
        parse_rubric("indicators: []\n" + LAUGHS)
