"""The second shipped survey (another programme, a four-point scale, no district) loads with
``survey load``, renders and accepts answers on the public form, relevance included."""

import pytest
import yaml

from surveyapp.definitions import builtin_path
from surveyapp.definitions import load_file
from surveyapp.definitions import load_text
from surveyapp.definitions.loader import DefinitionError
from tests.public.conftest import Respondent
from tests.second_survey import second_survey_path

_second = second_survey_path


@pytest.fixture
def second(runner):
    """Load the second survey through the CLI; returns its definition."""
    path = _second()
    result = runner.invoke(args=["survey", "load", str(path)])
    assert result.exit_code == 0, result.output
    definition = load_file(path)
    assert f"{definition.key}: loaded as version 1" in result.output
    assert runner.invoke(args=["survey", "publish", definition.key]).exit_code == 0
    return definition


def _answers(definition, relevant):
    """A complete answer set: first substantive choice everywhere, in or out of the branch."""
    answers = {}
    for q in definition.questions:
        if q.relevant and not relevant:
            continue
        if q.type == "multiple":
            answers[q.key] = [str(c.code) for c in q.choices[: q.max_choices or 1]]
        elif q.type == "number":
            answers[q.key] = str(int(q.min or 0) + 1)
        elif q.type in ("text", "long_text"):
            answers[q.key] = "接线员很耐心"
        else:
            for key in q.answer_keys:
                answers[key] = str(q.choices[0].code)
    return answers


def test_second_survey_is_another_programme_without_district():
    definition = load_file(_second())
    default = load_file(builtin_path("nanyang-dcm"))
    assert not set(definition.answer_keys) & set(default.answer_keys)
    assert {q.type for q in definition.questions} >= {
        "demographic",
        "single",
        "multiple",
        "number",
        "likert_group",
        "likert",
        "rating",
        "text",
    }
    scale = definition.scales[next(iter(definition.scales))]
    substantive = [c for c in scale if c.substantive]
    assert len(substantive) in (4, 7) and len(scale) == len(substantive) + 1
    assert definition.weighting_questions and len(definition.weighting_questions) >= 2


def test_second_survey_ships_margins_for_its_demographics_and_a_rubric():
    definition = load_file(_second())
    stem = _second().with_suffix("")
    margins = yaml.safe_load(stem.with_suffix(".margins.yaml").read_text(encoding="utf-8"))
    totals = set()
    for key, cells in margins.items():
        question = definition.question(key)
        assert question is not None and question.weighting
        assert set(cells) == set(question.codes)
        totals.add(sum(cells.values()))
    assert len(totals) == 1
    rubric = yaml.safe_load(stem.with_suffix(".rubric.yaml").read_text(encoding="utf-8"))
    for indicator in rubric["indicators"]:
        question = indicator["estimate"].get("question")
        assert question is None or definition.question(question) is not None


def test_form_renders_and_accepts_the_full_branch(client, second, stored):
    url = f"/s/{second.key}"
    respondent = Respondent(client, url)
    assert respondent.open().status_code == 200
    assert second.title["zh"] in respondent.page
    answers = _answers(second, relevant=True)
    assert respondent.submit(answers).status_code == 303
    [(_row, rows)] = stored()
    keys = {key for key, *_ in rows}
    assert keys == set(answers)


def test_form_skips_the_branch_when_its_condition_is_false(client, second, stored):
    gate = next(q for q in second.questions if q.relevant)
    respondent = Respondent(client, f"/s/{second.key}")
    respondent.open()
    answers = _answers(second, relevant=False)
    # The branch's gate is answered with the code that closes it ("no").
    gate_key = gate.relevant.split()[0]
    closing = second.question(gate_key).choices[-1].code
    answers[gate_key] = str(closing)
    # An answer posted to an irrelevant question is dropped, not stored.
    stray = {key: "1" for key in gate.answer_keys}
    assert respondent.submit({**answers, **stray}).status_code == 303
    [(_row, rows)] = stored()
    assert {key for key, *_ in rows} == set(answers)


def test_form_refuses_a_missing_required_answer_in_the_branch(client, second, counts):
    respondent = Respondent(client, f"/s/{second.key}")
    respondent.open()
    answers = _answers(second, relevant=True)
    group = next(q for q in second.questions if q.type == "likert_group" and q.required)
    answers.pop(group.answer_keys[0])
    response = respondent.submit(answers)
    assert response.status_code == 422
    assert "请回答本题。" in respondent.page
    assert counts()[:2] == (0, 0)


SEVEN_POINT = """
key: seven-point
title: {zh: 七级量表, en: Seven points}
scales:
  sat7:
%s
    - {code: 0, label: {zh: 未接触过, en: Not experienced}, substantive: false}
questions:
  - {key: q_sat, type: likert, scale: sat7, required: true, text: {zh: 满意吗, en: "Satisfied?"}}
""" % "\n".join(f"    - {{code: {c}, label: {{zh: '{c}分', en: '{c}'}}}}" for c in range(7, 0, -1))


def test_loader_accepts_a_seven_point_scale_with_a_non_substantive_answer():
    definition = load_text(SEVEN_POINT, "seven.yaml")
    question = definition.question("q_sat")
    assert question.codes == (7, 6, 5, 4, 3, 2, 1, 0)
    assert [c.code for c in question.choices if not c.substantive] == [0]


def test_loader_refuses_a_scale_with_a_repeated_code():
    broken = SEVEN_POINT.replace("code: 0,", "code: 1,")
    with pytest.raises(DefinitionError, match="choice code 1 is not unique"):
        load_text(broken, "seven.yaml")
