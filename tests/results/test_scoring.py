"""Indicator points, the evaluation score table and its consistency check, the demo generator."""

import os
from types import SimpleNamespace

import pytest

from surveyapp.results import scoretable
from surveyapp.results.model import IndicatorScore
from surveyapp.results.rubric import points_for


def test_the_seed_2021_table_is_flagged_at_the_output_row():
    table = scoretable.load_example("nanyang-dcm")
    problems = scoretable.check(table, [["优", 90], ["良", 80], ["中", 60]])
    # 44.23 of 45 is 98.29%, the printed table says 83.98%; every other row and the total add up.
    assert problems == [{"row": "项目产出", "field": "rate", "stated": 83.98, "computed": 98.29}]


def test_check_catches_a_wrong_total_and_grade():
    table = scoretable.load_example("nanyang-dcm")
    table["total"]["score"] = 95.0
    table["grade"] = "良"
    fields = {
        (p["row"], p["field"])
        for p in scoretable.check(table, [["优", 90], ["良", 80], ["中", 60]])
    }
    assert (
        ("合计", "score") in fields and ("合计", "rate") in fields and ("合计", "grade") in fields
    )


def test_check_compares_children_with_their_parent():
    table = {
        "rows": [
            {"level": 1, "name": "效益", "weight": 20, "score": 16, "rate": 80},
            {"level": 2, "name": "满意度", "weight": 10, "score": 9, "rate": 90},
            {"level": 2, "name": "环境", "weight": 10, "score": 6, "rate": 60},
        ],
        "total": {"weight": 20, "score": 16, "rate": 80},
    }
    assert scoretable.check(table) == [
        {"row": "效益", "field": "score", "stated": 16, "computed": 15.0}
    ]


def test_built_table_uses_rubric_points_and_manual_scores():
    indicators = [
        IndicatorScore(
            id=str(i),
            name={"zh": f"指标{i}"},
            max_points=5.0,
            question="q",
            statistic="share",
            codes=(1,),
            rule={"type": "proportional"},
            estimate=p / 5,
            ci_low=p / 5,
            ci_high=p / 5,
            n=100,
            n_eff=100.0,
            points=p,
            points_low=p,
            points_high=p,
        )
        for i, p in enumerate((4.0, 3.5, 5.0, 2.5))
    ]
    manual = {"项目决策": 13, "项目过程": 20, "项目产出": 44.23}
    table = scoretable.build(indicators, manual, [["优", 90], ["良", 80], ["中", 60]])
    benefit = next(r for r in table["rows"] if r["name"] == "项目效益")
    assert benefit["score"] == 15.0 and benefit["rate"] == 75.0
    assert table["total"] == {"weight": 100, "score": 92.23, "rate": 92.23}
    assert table["grade"] == "优"
    assert scoretable.check(table) == []
    assert scoretable.build(indicators, {}, [["优", 90]])["grade"] is None


@pytest.mark.parametrize(
    "value, rule, expected",
    [
        (0.92, {"type": "target", "target": 0.9, "deduct": 0.25}, 5.0),
        (0.86, {"type": "target", "target": 0.9, "deduct": 0.25}, 4.0),  # 4 points below: -1
        (0.50, {"type": "target", "target": 0.9, "deduct": 0.25}, 0.0),  # floored
        (80.0, {"type": "target", "target": 85, "deduct": 0.2}, 4.0),  # index scale
        (0.74, {"type": "proportional"}, 3.7),
        (
            0.81,
            {
                "type": "tiers",
                "tiers": [
                    {"min": 0.9, "points": 5},
                    {"min": 0.8, "points": 4},
                    {"min": 0, "points": 0},
                ],
            },
            4.0,
        ),
    ],
)
def test_rubric_rules(value, rule, expected):
    assert points_for(value, 5.0, rule) == pytest.approx(expected)


def test_demo_data_command(app, runner):
    result = runner.invoke(args=["survey", "demo-data", "nanyang-dcm", "--n", "200", "--seed", "3"])
    assert result.exit_code == 0, result.output
    analysed = runner.invoke(args=["survey", "analyze", "nanyang-dcm"])
    assert "n=" in analysed.output and "公众知晓率" in analysed.output
    assert runner.invoke(args=["survey", "demo-data", "nope"]).exit_code != 0


def test_charts_fall_back_to_english_without_a_cjk_font(monkeypatch):
    from surveyapp.results import charts

    assert charts.chart_language("zh", None)[0] == "en"
    assert "fonts-noto-cjk" in charts.chart_language("zh", None)[1]
    assert charts.chart_language("zh", object()) == ("zh", None)
    if os.path.exists("/usr/share/fonts/opentype/noto"):
        assert charts.cjk_font() is not None
    calls = []
    monkeypatch.setattr(charts, "cjk_font", lambda: None)
    monkeypatch.setattr(charts, "_series", lambda r, n, lang: calls.append(lang) or ([], [], "t"))
    png = charts.render(SimpleNamespace(ci_level=0.95), "headline", "png", "zh")
    assert png[:4] == b"\x89PNG" and calls == ["en"]
