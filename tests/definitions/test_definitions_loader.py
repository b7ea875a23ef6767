"""Loading survey definitions: every problem names the file, its line and column, and the
question."""

import re

import pytest

from surveyapp.definitions import DefinitionError
from surveyapp.definitions import builtin_path
from surveyapp.definitions import load_file
from surveyapp.definitions import load_text
from surveyapp.definitions.schema import SurveyDefinition

HEAD = """
key: tiny
title: {zh: 小问卷, en: Tiny}
questions:
"""

GOOD = """
  - key: a
    type: single
    text: {zh: 甲, en: A}
    choices:
      - {code: 1, label: {zh: 是}}
      - {code: 2, label: {zh: 否}}
"""


LOCATION = re.compile(r"^line \d+, column \d+: ")


def problems(body, source="tiny.yaml"):
    """The problems of HEAD + body, each without its location (which every one has)."""
    with pytest.raises(DefinitionError) as caught:
        load_text(HEAD + body, source)
    assert all(line.startswith(f"{source}: ") for line in str(caught.value).splitlines())
    assert all(LOCATION.match(p) for p in caught.value.problems), caught.value.problems
    return [LOCATION.sub("", p) for p in caught.value.problems]


def test_default_survey_loads_and_round_trips_through_plain_data():
    definition = load_file(builtin_path("nanyang-dcm"))
    assert SurveyDefinition.from_dict(definition.to_dict()) == definition
    assert [q.key for q in definition.weighting_questions] == ["district", "age_group", "gender"]


def test_unknown_question_type_names_the_question():
    found = problems(GOOD + "  - {key: b, type: slider, text: {zh: 乙}}\n")
    assert any(p.startswith("question b: unknown question type 'slider'") for p in found)


def test_duplicate_key_names_the_question():
    found = problems(GOOD + GOOD)
    assert "question a: duplicate key" in found


def test_likert_item_reusing_a_question_key_is_a_duplicate():
    text = """
key: tiny
title: {zh: 小问卷}
scales:
  s:
    - {code: 1, label: {zh: 好}}
questions:
  - {key: a, type: likert, scale: s, text: {zh: 甲}}
  - key: g
    type: likert_group
    scale: s
    text: {zh: 组}
    items:
      - {key: a, label: {zh: 重复}}
"""
    with pytest.raises(DefinitionError) as caught:
        load_text(text, "g.yaml")
    assert "line 14, column 10: question g: item a: duplicate key" in caught.value.problems


def test_non_unique_choice_codes_name_the_question():
    found = problems(GOOD.replace("code: 2", "code: 1"))
    assert "question a: choice code 1 is not unique" in found


@pytest.mark.parametrize(
    ("condition", "named"),
    [("b == 1", "b"), ("nowhere in [1, 2]", "nowhere"), ("answered(ghost)", "ghost")],
)
def test_condition_naming_an_unknown_or_later_question(condition, named):
    body = GOOD.replace("    type: single\n", f"    type: single\n    relevant: {condition}\n", 1)
    body += GOOD.replace("key: a", "key: b")
    found = problems(body)
    assert f"question a: condition names unknown or later question {named!r}" in found


def test_condition_that_does_not_parse_names_the_question():
    found = problems(
        GOOD
        + GOOD.replace("key: a", "key: b").replace(
            "    type: single\n", "    type: single\n    relevant: a ==\n"
        )
    )
    assert any(p.startswith("question b: condition:") for p in found)


def test_missing_chinese_label_names_the_question_and_choice():
    found = problems(GOOD.replace("{code: 2, label: {zh: 否}}", "{code: 2, label: {en: 'No'}}"))
    assert "question a: choice 2 label: missing Chinese text (zh)" in found
    found = problems(GOOD.replace("text: {zh: 甲, en: A}", "text: {en: A}"))
    assert "question a: text: missing Chinese text (zh)" in found


def test_every_problem_is_reported_at_once():
    body = GOOD + GOOD + "  - {key: c, type: nope, text: {zh: 丙}}\n"
    found = problems(body)
    assert "question a: duplicate key" in found
    assert any(p.startswith("question c: unknown question type") for p in found)


def test_other_definition_mistakes():
    assert any(
        "min is greater than max" in p
        for p in problems("  - {key: n, type: number, min: 5, max: 1, text: {zh: 数}}\n")
    )
    assert any(
        "max_choices must be between" in p
        for p in problems(GOOD.replace("type: single", "type: multiple\n    max_choices: 9"))
    )
    assert any(
        "scale 'missing' is not defined" in p
        for p in problems("  - {key: l, type: likert, scale: missing, text: {zh: 量}}\n")
    )
    assert any(
        "unknown attribute 'colour'" in p
        for p in problems(GOOD.replace("    type: single\n", "    type: single\n    colour: red\n"))
    )


def test_file_errors_name_the_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("key: [unclosed", encoding="utf-8")
    with pytest.raises(DefinitionError, match="broken.yaml: not valid YAML"):
        load_file(path)
    with pytest.raises(DefinitionError, match="absent.yaml: cannot read"):
        load_file(tmp_path / "absent.yaml")


LINES = """\
key: line-check
title: {zh: 行号}
questions:
  - key: q1
    type: single
    text: {zh: 第一题}
    choices:
      - {code: 1, label: {zh: 是}}
      - {code: one, label: {zh: 否}}
  - key: q2
    type: singel
    text: {zh: 第二题}
  - key: q3
    type: text
    text: {zh: 第三题}
    colour: red
    relevant: "ghost == 1"
  - key: q4
    type: text
"""


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            "en",
            [
                "lines.yaml: line 9, column 10: question q1: choice 2 needs an integer code",
                "lines.yaml: line 11, column 5: question q2: unknown question type 'singel'",
                "lines.yaml: line 16, column 5: question q3: unknown attribute 'colour'",
                "lines.yaml: line 17, column 5: question q3: condition names unknown or later "
                "question 'ghost'",
                # A missing attribute: the line of its question.
                "lines.yaml: line 18, column 5: question q4: text: missing Chinese text (zh)",
            ],
        ),
        (
            "zh_CN",
            [
                "lines.yaml: 第 9 行第 10 列：题目 q1：第 2 个选项需要整数 code",
                "lines.yaml: 第 11 行第 5 列：题目 q2：未知题型 'singel'",
                "lines.yaml: 第 16 行第 5 列：题目 q3：未知属性 'colour'",
                "lines.yaml: 第 17 行第 5 列：题目 q3：显示条件引用了不存在或位于其后的题目 'ghost'",
                "lines.yaml: 第 18 行第 5 列：题目 q4：题干：缺少中文文字（zh）",
            ],
        ),
    ],
)
def test_each_problem_names_the_line_and_column_of_its_node(app, locale, expected):
    from flask_babel import force_locale

    with app.test_request_context(), force_locale(locale):
        with pytest.raises(DefinitionError) as caught:
            load_text(LINES, "lines.yaml")
        shown = str(caught.value).splitlines()
    for message in expected:
        assert any(line.startswith(message) for line in shown), shown
    assert len(shown) == len(expected)
