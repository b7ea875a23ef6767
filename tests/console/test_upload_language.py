"""Every refusal of an uploaded definition is in the console's language: YAML refusals, condition
errors and problems of the ``analysis:`` block, in Chinese by default and in English on request,
with the line and column of the YAML node each problem concerns."""

import html
import re

import pytest

from tests.console.test_surveys import upload

ALIAS = """\
key: lang-check
title: &t {zh: 测试}
description: *t
"""

BAD = """\
key: lang-check
title: {zh: 测试}
questions:
  - {key: zone, type: demographic, text: {zh: 区域}, choices: [{code: 5, label: {zh: 东}}]}
  - {key: later, type: text, text: {zh: 意见}, relevant: "zone =="}
"""
# Valid questions (the analysis block is checked only then) with a wrong analysis block.
ANALYSIS = (
    BAD.replace(' relevant: "zone =="', "")
    + """\
analysis:
  overall: zone
  headlines: [{id: east, question: zone, codes: [7]}]
"""
)

EXPECTED = {
    "zh": [
        "alias.yaml: 第 3 行：不允许使用别名（*t）",
        "bad.yaml: 第 5 行第 46 列：题目 later：显示条件：条件 'zone ==' 不完整：末尾还应有数字",
        "analysis.yaml: 第 6 行第 1 列：analysis 部分：overall：'zone' 不是量表题",
        "analysis.yaml: 第 6 行第 1 列：analysis 部分：headline east：题目 'zone' 没有选项代码 7",
        "unclosed.yaml: 不是有效的 YAML：while parsing a flow sequence",
    ],
    "en": [
        "alias.yaml: line 3: aliases (*t) are not allowed",
        "bad.yaml: line 5, column 46: question later: condition: expected a number but the condition 'zone ==' ends",
        "analysis.yaml: line 6, column 1: analysis: overall: 'zone' is not a Likert question",
        "analysis.yaml: line 6, column 1: analysis: headline east: question 'zone' has no code(s) 7",
        "unclosed.yaml: not valid YAML: while parsing a flow sequence",
    ],
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_definition_refusals_are_in_the_console_language(client, as_role, lang):
    as_role("evaluator")
    if lang == "en":
        client.get("/console/surveys?lang=en")
    pages = []
    files = (ALIAS, "alias.yaml"), (BAD, "bad.yaml"), (ANALYSIS, "analysis.yaml")
    for text, name in (*files, ("key: [1, 2\ntitle: x\n", "unclosed.yaml")):
        response = upload(client, "/console/surveys/upload", text, name)
        assert response.status_code == 400
        pages.append(html.unescape(response.get_data(as_text=True)))
    page = "\n".join(pages)
    shown = re.findall(r"\w+\.yaml: [^<]*", page)
    for message in EXPECTED[lang]:
        assert message in page, shown
    # The other language's sentences are nowhere (the YAML parser's own detail stays as data).
    other = EXPECTED["en" if lang == "zh" else "zh"]
    for message in other:
        assert message.split(": ", 1)[1][:12] not in page
    assert "key: [1, 2\n         ^" in pages[3]  # the line and the caret under its column
