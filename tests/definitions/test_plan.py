"""The analysis plan: roles from the definition with defaults, and the ``analysis:`` block checked."""

import pytest

from surveyapp.definitions.loader import DefinitionError
from surveyapp.definitions.loader import builtin_path
from surveyapp.definitions.loader import load_file
from surveyapp.definitions.loader import load_text
from surveyapp.definitions.plan import UnknownInPlan
from surveyapp.definitions.plan import plan_for

BASE = """
key: plan-test
title: {zh: 测试}
scales:
  agree:
    - {code: 1, label: {zh: 同意}}
    - {code: 2, label: {zh: 一般}}
    - {code: 3, label: {zh: 不同意}}
    - {code: 8, label: {zh: 不适用}, substantive: false}
questions:
  - {key: zone, type: demographic, text: {zh: 区域}, choices: [{code: 5, label: {zh: 东}}, {code: 6, label: {zh: 西}}]}
  - key: grid
    type: likert_group
    scale: agree
    text: {zh: 评价}
    items: [{key: g_a, label: {zh: 甲}}, {key: g_b, label: {zh: 乙}}]
  - {key: whole, type: likert, scale: agree, text: {zh: 总体如何？}}
  - {key: note, type: text, text: {zh: 意见}}
"""


def test_defaults_come_from_the_definition():
    plan = plan_for(load_text(BASE))
    assert plan.weighting == ("zone",) and plan.domains == ("zone",)
    assert plan.index.items == (("g_a", 1.0), ("g_b", 1.0)) and plan.overall == "whole"
    # Listed best first: worst first is 3, 2, 1; 8 is not substantive; top two are 1 then 2.
    assert plan.scale("whole").levels == (3, 2, 1) and plan.scale("g_a").top == (1, 2)
    assert plan.question("whole").label_for_report() == {"zh": "总体如何"}
    with pytest.raises(UnknownInPlan, match="nothing"):
        plan.question("nothing")
    with pytest.raises(UnknownInPlan, match="9"):
        plan.check_codes("whole", [1, 9])


def test_the_analysis_block_sets_roles_and_order():
    text = (
        BASE
        + """
analysis:
  index: {items: {g_a: 3, g_b: 1}}
  overall: g_b
  domains: []
  worst_first: [whole]
  headlines: [{id: east, question: zone, codes: [5]}]
"""
    )
    plan = plan_for(load_text(text))
    assert plan.index.items == (("g_a", 3.0), ("g_b", 1.0)) and plan.overall == "g_b"
    assert plan.domains == () and plan.scale("whole").levels == (1, 2, 3)
    assert plan.headlines[0].codes == (5,)


@pytest.mark.parametrize(
    "block, message",
    [
        ("index: {items: [nope]}", "nope"),
        ("overall: zone", "not a Likert"),
        ("weighting: [grid]", "not a demographic or single"),
        ("headlines: [{id: x, question: zone, codes: [7]}]", "7"),
        ("headlines: [{id: x, question: note, codes: [1]}]", "not a choice"),
        ("colour: red", "colour"),
        ("index: {items: {g_a: -1}}", "positive"),
    ],
)
def test_bad_analysis_blocks_are_refused(block, message):
    with pytest.raises(DefinitionError, match=message):
        load_text(BASE + "analysis:\n  " + block + "\n")


def test_the_default_survey_plan():
    plan = plan_for(load_file(builtin_path("nanyang-dcm")))
    assert plan.overall and plan.index and len(plan.index.items) == 7
    assert {h.id for h in plan.headlines} == {"aware", "improved"}
