"""Scoring the example evaluation: the seed's table, rates from the counts, checks, grades."""

import copy

import pytest

from surveyapp.definitions.store import get_survey
from surveyapp.evaluation import services
from surveyapp.evaluation.checks import check
from surveyapp.evaluation.schema import EvaluationError
from surveyapp.evaluation.schema import parse
from surveyapp.evaluation.scoring import score
from surveyapp.results.compute import compute_results
from tests.evaluation.conftest import KEY


def _doc():
    return services.read_file(services.builtin_path(KEY))


def test_without_survey_results_the_seed_table_is_reproduced(loaded):
    with loaded.app_context():
        card, problems = services.scorecard(services.get_evaluation(KEY))
    first = {g.name: (g.weight, g.points) for g in card.groups}
    # The seed report, section 三: 15/13, 20/20, 45/44.23, 20/16, total 93.23, 优.
    assert first == {"决策": (15, 13), "过程": (20, 20), "产出": (45, 44.23), "效益": (20, 16)}
    assert (card.weight, card.points, card.grade) == (100, 93.23, "优")
    assert not card.survey_used
    # 4 first-level, 13 second-level and 28 third-level indicators, as the seed says.
    levels = [level for level, _node in card.rows()]
    assert (levels.count(1), levels.count(2), levels.count(3)) == (4, 13, 28)
    # 立案率 and 结案率 come from the counts: 465,557 / 509,566 and 428,644 / 465,557.
    assert round(100 * card.leaf("o_filing").value, 2) == 91.36
    assert round(100 * card.leaf("o_closing").value, 2) == 92.07
    assert card.leaf("o_filing").basis == "data"
    # The one error: the printed 83.98% for 产出, where 44.23 / 45 = 98.29% (the text's figure).
    errors = [p for p in problems if p.severity == "error"]
    assert [(p.row, p.field, p.stated, p.computed) for p in errors] == [
        ("产出", "rate", 83.98, round(100 * 44.23 / 45, 2))
    ]
    assert "98.29" in errors[0].explanation and "83.98" in errors[0].explanation


def test_benefit_rows_come_from_the_survey_when_it_has_results(with_responses):
    with with_responses.app_context():
        card, problems = services.scorecard(services.get_evaluation(KEY))
        results = compute_results(get_survey("nanyang-dcm"))
    assert card.survey_used
    benefit = next(g for g in card.groups if g.name == "效益")
    leaves = [leaf for mid in benefit.children for leaf in mid.children]
    assert all(leaf.basis == "survey" for leaf in leaves)
    # The proportional rule by hand: points = weight x the share who say the environment improved.
    env = card.leaf("b_environment")
    row = results.estimate("env_improved", "share", (5, 4))
    assert env.value == row.estimate
    assert env.points == round(5 * row.estimate, 2)
    assert env.points_low == round(5 * row.ci_low, 2)
    assert env.points_high == round(5 * row.ci_high, 2)
    assert benefit.points == round(sum(leaf.points for leaf in leaves), 2)
    assert card.points == round(13 + 20 + 44.23 + benefit.points, 2)
    note = next(p for p in problems if p.row == "效益")
    assert note.severity == "note" and note.stated == 16


def test_grade_thresholds_are_configurable(app):
    doc = _doc()
    with app.app_context():
        assert score(parse(doc)).grade == "优"
        doc["grades"] = [["A", 95], ["B", 85]]
        doc["below_grades"] = "C"
        assert score(parse(doc)).grade == "B"
        doc["grades"] = [["A", 99]]
        assert score(parse(doc)).grade == "C"


def test_checks_catch_weights_that_do_not_add_up_and_a_wrong_printed_total(app):
    doc = _doc()
    doc["indicators"][0]["children"][0]["weight"] = 6  # 项目立项's indicators add up to 5
    doc["printed"]["total"]["score"] = 93.0
    doc["printed"]["grade"] = "良"
    with app.app_context():
        problems = check(score(parse(doc)))
    found = {(p.row, p.field, p.stated, p.computed) for p in problems}
    assert ("项目立项", "weight", 6, 5) in found
    assert ("合计", "score", 93.0, 93.23) in found
    assert ("合计", "grade", "良", "优") in found


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d["indicators"][0]["children"][0]["children"][0].update(points=9), "9"),
        (
            lambda d: d["indicators"][1]["children"][0]["children"][0].update(
                formula="os.system(1)"
            ),
            "资金到位率",
        ),
        (
            lambda d: d["indicators"][1]["children"][0]["children"][0].update(
                formula="到位数 / 无此数"
            ),
            "无此数",
        ),
        (
            lambda d: d["indicators"][0]["children"][0]["children"][1].update(id="d_basis"),
            "d_basis",
        ),
        (
            lambda d: d["indicators"][3]["children"][0]["children"][0].update(rule={"type": 5}),
            "公众知晓率",
        ),
        (lambda d: d.update(key="Bad Key"), "key"),
    ],
)
def test_invalid_documents_are_refused_naming_the_indicator(app, change, message):
    doc = copy.deepcopy(_doc())
    change(doc)
    with app.app_context(), pytest.raises(EvaluationError) as caught:
        parse(doc)
    assert message in str(caught.value)


def test_template_loads_and_is_unscored_until_filled(app):
    with app.app_context():
        card = score(parse(services.read_file(services.builtin_path("mof-2020-template"))))
    assert [g.name for g in card.groups] == ["决策", "过程", "产出", "效益"]
    assert [m.name for m in card.groups[3].children] == [
        "社会效益",
        "生态效益",
        "可持续影响",
        "满意度",
    ]
    assert card.points is None and card.grade is None


def _survey_leaf(doc, leaf_id):
    for first in doc["indicators"]:
        for mid in first["children"]:
            for leaf in mid["children"]:
                if leaf["id"] == leaf_id:
                    return leaf
    raise KeyError(leaf_id)


def test_survey_indicators_name_a_statistic_the_survey_can_have(loaded):
    doc = _doc()
    _survey_leaf(doc, "b_satisfaction")["statistic"] = "rate"  # the old name of top2
    with loaded.app_context():
        with pytest.raises(EvaluationError, match="top2"):
            parse(doc)
    doc = _doc()
    _survey_leaf(doc, "b_environment")["codes"] = [5, 77]
    with loaded.app_context():
        with pytest.raises(EvaluationError, match="77"):
            services.save_document(doc, "test")
        doc = _doc()
        _survey_leaf(doc, "b_index")["statistic"] = "mean"
        with pytest.raises(EvaluationError, match="mean"):
            services.save_document(doc, "test")


def test_a_share_the_survey_does_not_publish_is_computed_for_the_evaluation(with_responses):
    """Awareness codes 1-2 only: no headline or rubric figure has them; checked by a direct sum."""
    from sqlalchemy import select

    from surveyapp.extensions import db
    from surveyapp.models import Answer
    from surveyapp.models import Response
    from surveyapp.results import settings as settings_service
    from surveyapp.results.compute import response_weights

    doc = _doc()
    _survey_leaf(doc, "b_awareness")["codes"] = [1, 2]
    with with_responses.app_context():
        services.save_document(doc, "test")
        card, _problems = services.scorecard(services.get_evaluation(KEY))
        survey = get_survey("nanyang-dcm")
        _version, settings = settings_service.current(survey)
        weights = response_weights(survey, settings)
        codes = dict(
            db.session.execute(
                select(Answer.response_id, Answer.code)
                .join(Response, Response.id == Answer.response_id)
                .where(
                    Response.survey_id == survey.id,
                    Response.status == "valid",
                    Answer.question == "awareness",
                )
            ).all()
        )
    answered = [(weights[rid], code) for rid, code in codes.items() if code is not None]
    share = sum(w for w, c in answered if c in (1, 2)) / sum(w for w, _c in answered)
    leaf = card.leaf("b_awareness")
    assert leaf.basis == "survey" and abs(leaf.value - share) < 1e-12
    assert leaf.ci[0] < leaf.value < leaf.ci[1]
