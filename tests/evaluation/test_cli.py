"""``flask evaluation ...`` and ``flask survey report``: load, score --json, reports on disk."""

import json
import re

import yaml
from docx import Document

from surveyapp.evaluation import services
from tests.evaluation.conftest import KEY


def test_load_default_is_idempotent_and_score_json_reproduces_the_seed(app, runner):
    first = runner.invoke(args=["evaluation", "load-default", "--if-absent"])
    assert first.exit_code == 0 and "version 1" in first.output
    again = runner.invoke(args=["evaluation", "load-default", "--if-absent"])
    assert "already loaded" in again.output
    result = runner.invoke(args=["evaluation", "score", KEY, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [(r["name"], r["points"]) for r in data["first_level"]] == [
        ("决策", 13),
        ("过程", 20),
        ("产出", 44.23),
        ("效益", 16),
    ]
    assert data["total"] == {
        "weight": 100,
        "points": 93.23,
        "points_low": 93.23,
        "points_high": 93.23,
        "rate": 93.23,
        "grade": "优",
    }
    filing = next(r for r in data["rows"] if r.get("id") == "o_filing")
    assert filing["formula"] == "立案数 / 上报数" and round(filing["value"], 4) == 0.9136
    assert [c["stated"] for c in data["checks"] if c["severity"] == "error"] == [83.98]


def test_load_refuses_a_bad_file_and_keeps_what_is_stored(loaded, runner, tmp_path):
    path = tmp_path / "bad.yaml"
    doc = services.read_file(services.builtin_path(KEY))
    doc["indicators"][0]["children"][0]["children"][0]["points"] = 99
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(args=["evaluation", "load", str(path)])
    assert result.exit_code != 0 and "立项依据充分性" in result.output
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("a: &a [1, 2]\nb: [*a, *a]\n", encoding="utf-8")
    assert "别名" in runner.invoke(args=["evaluation", "load", str(bomb)]).output
    with loaded.app_context():
        evaluation = services.get_evaluation(KEY)
        assert len(evaluation.versions) == 1


def test_reports_are_written_as_docx_and_markdown_with_images_beside(
    with_responses, runner, tmp_path
):
    out = tmp_path / "eval.docx"
    result = runner.invoke(args=["evaluation", "report", KEY, "--format", "docx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    doc = Document(str(out))
    cells = {c.text for t in doc.tables for row in t.rows for c in row.cells}
    assert {"立案率", "居民对城市管理工作的满意度", "决策", "合计"} <= cells
    md = tmp_path / "eval.md"
    result = runner.invoke(args=["evaluation", "report", KEY, "--format", "md", "-o", str(md)])
    text = md.read_text(encoding="utf-8")
    pngs = sorted(p.name for p in tmp_path.glob("eval-fig*.png"))
    assert pngs and all(f"]({name})" in text for name in pngs) and "base64" not in text
    assert "## 三、评价结果" in text and "**表1  项目基础数据**" in text
    survey_md = tmp_path / "survey.docx"
    result = runner.invoke(args=["survey", "report", "nanyang-dcm", "-o", str(survey_md)])
    assert result.exit_code == 0, result.output


def test_markdown_escapes_labels(loaded, runner, tmp_path):
    with loaded.app_context():
        evaluation = services.get_evaluation(KEY)
        doc = services.document_of(evaluation)
        doc["indicators"][0]["name"] = "<img src=x onerror=alert(1)>"
        doc["indicators"][0]["children"][0]["children"][0]["name"] = "[点此](javascript:alert(1))"
        doc["texts"] = {"problems": "# 标题\n<script>alert(1)</script>", "suggestions": ""}
        services.save_document(doc, "hostile labels")
        from surveyapp.extensions import db

        db.session.commit()
    md = tmp_path / "r.md"
    assert (
        runner.invoke(args=["evaluation", "report", KEY, "--format", "md", "-o", str(md)]).exit_code
        == 0
    )
    text = md.read_text(encoding="utf-8")
    assert not re.search(r"(?<!\\)<(img|script)", text)
    assert not re.search(r"(?<!\\)\]\(javascript:", text)
    assert "\\<img src=x onerror=alert(1)\\>" in text and "\\[点此\\](javascript:alert(1))" in text
    assert "\n# 标题" not in text and "\\# 标题" in text


def test_survey_report_works_for_any_survey(app, runner, tmp_path):
    from surveyapp.definitions import load_text
    from surveyapp.definitions.store import save_definition
    from surveyapp.extensions import db

    definition = load_text(
        """
key: qx-7
title: {zh: 图书馆读者调查, en: Library readers}
questions:
  - key: zq1
    type: single
    text: {zh: 您多久来一次图书馆？, en: How often}
    choices:
      - {code: 1, label: {zh: 每周, en: Weekly}}
      - {code: 2, label: {zh: 每月, en: Monthly}}
  - key: zq2
    type: text
    text: {zh: 其他建议, en: Other}
"""
    )
    with app.app_context():
        save_definition(definition, source_name="test")
        db.session.commit()
    out = tmp_path / "qx.docx"
    result = runner.invoke(args=["survey", "report", "qx-7", "--format", "docx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    cells = {c.text for t in Document(str(out)).tables for row in t.rows for c in row.cells}
    assert "您多久来一次图书馆？" in cells and "1. 每周　2. 每月" in cells
    md = tmp_path / "qx.md"
    assert (
        runner.invoke(args=["survey", "report", "qx-7", "--format", "md", "-o", str(md)]).exit_code
        == 0
    )
    assert "每周" in md.read_text(encoding="utf-8")


def test_import_counts_from_csv(loaded, runner, tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text("name,value\n立案数,500000\n结案数,\n", encoding="utf-8")
    result = runner.invoke(args=["evaluation", "import-counts", KEY, str(path)])
    assert result.exit_code == 0 and "version 2" in result.output
    with loaded.app_context():
        counts = services.definition_of(services.get_evaluation(KEY)).count_values()
    assert counts["立案数"] == 500000 and counts["结案数"] is None and counts["上报数"] == 509566
    path.write_text("name,value\n无此项,1\n", encoding="utf-8")
    result = runner.invoke(args=["evaluation", "import-counts", KEY, str(path)])
    assert result.exit_code != 0 and "无此项" in result.output


def test_survey_rows_carry_the_reliability_flags_of_their_estimates(loaded, runner, tmp_path):
    # 20 responses: every survey share rests on an effective sample under 30.
    with loaded.app_context():
        from surveyapp.definitions.store import get_survey
        from surveyapp.demo import insert_demo_responses
        from surveyapp.evaluation import services
        from surveyapp.extensions import db

        survey = services.read_file(services.builtin_path(KEY))["survey"]
        insert_demo_responses(get_survey(survey), 20, seed=5)
        db.session.commit()
    result = runner.invoke(args=["evaluation", "score", KEY, "--json"])
    assert result.exit_code == 0, result.output
    rows = [r for r in json.loads(result.output)["rows"] if r.get("basis") == "survey"]
    shares = [r for r in rows if r["statistic"] in ("share", "top2")]
    assert len(shares) == 3 and all("effective n < 30" in r["flags"] for r in shares)
    # An index (a mean) is judged by its relative SE and df: 20 answers measure it well enough.
    assert [r["flags"] for r in rows if r["statistic"] == "index"] == [[]]
    md = tmp_path / "evaluation.md"
    result = runner.invoke(args=["evaluation", "report", KEY, "--format", "md", "-o", str(md)])
    assert result.exit_code == 0, result.output
    assert "该估计值未达到发布标准（有效样本量不足30" in md.read_text(encoding="utf-8")


def test_survey_rows_of_a_large_sample_carry_no_flags(with_responses, runner):
    result = runner.invoke(args=["evaluation", "score", KEY, "--json"])
    rows = [r for r in json.loads(result.output)["rows"] if r.get("basis") == "survey"]
    assert rows and all(r["flags"] == [] for r in rows)
