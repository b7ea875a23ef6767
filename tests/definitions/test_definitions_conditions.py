"""The condition language of ``relevant:``: parsing, evaluation, unanswered questions."""

import pytest

from surveyapp.definitions.conditions import ConditionError
from surveyapp.definitions.conditions import parse


@pytest.mark.parametrize(
    ("source", "answers", "expected"),
    [
        ("awareness in [1, 2, 3]", {"awareness": 2}, True),
        ("awareness in [1, 2, 3]", {"awareness": 4}, False),
        ("awareness not in [4]", {"awareness": 1}, True),
        ("awareness != 4", {"awareness": 4}, False),
        ("reported == 1", {"reported": 1}, True),
        ("years < 5", {"years": 4.5}, True),
        ("years >= 5", {"years": 4.5}, False),
        ("years <= 5 and years > 1", {"years": 5}, True),
        ("heard_via has 5", {"heard_via": [1, 5]}, True),
        ("heard_via has 5", {"heard_via": [1, 2]}, False),
        ("reported == 1 and not (age == 1)", {"reported": 1, "age": 2}, True),
        ("reported == 1 and not (age == 1)", {"reported": 1, "age": 1}, False),
        ("a == 1 or b == 1", {"a": 2, "b": 1}, True),
        ("not a == 1 or b == 1 and c == 1", {"a": 2, "b": 2}, True),  # not > and > or
        ("answered(note)", {"note": "文字"}, True),
        ("answered(note)", {"note": ""}, False),
        ("answered(ticks)", {"ticks": []}, False),
        ("score == -1", {"score": -1}, True),
    ],
)
def test_conditions_evaluate(source, answers, expected):
    assert parse(source).holds(answers) is expected


@pytest.mark.parametrize(
    "source",
    [
        "awareness != 4",
        "awareness not in [4]",
        "awareness < 9",
        "heard_via has 1",
        "not (awareness == 4) and awareness != 4",
    ],
)
def test_a_comparison_with_an_unanswered_question_is_false(source):
    assert parse(source).holds({}) is False
    assert parse(source).holds({"awareness": None, "heard_via": []}) is False


def test_not_of_an_unanswered_comparison_is_true():
    assert parse("not (awareness == 4)").holds({}) is True


def test_a_list_answer_is_only_compared_with_has():
    assert parse("heard_via == 1").holds({"heard_via": [1]}) is False


def test_keys_lists_every_question_read():
    assert parse("a == 1 and (b has 2 or not answered(c))").keys == {"a", "b", "c"}


@pytest.mark.parametrize(
    "source",
    [
        "a ==",
        "a = 1",
        "a in 1",
        "a in []",
        "(a == 1",
        "a == 1)",
        "a == 1 b == 2",
        "== 1",
        "a == 'x'",
        "answered(1)",
        "a has [1]",
        "a == 1 and",
        "",
    ],
)
def test_malformed_conditions_are_refused(source):
    with pytest.raises(ConditionError):
        parse(source)


def test_tree_is_plain_data_for_the_browser():
    import json

    tree = parse("awareness in [1, 2] and not answered(x)").tree
    assert json.loads(json.dumps(tree)) == [
        "and",
        ["in", "awareness", [1.0, 2.0]],
        ["not", ["answered", "x"]],
    ]
