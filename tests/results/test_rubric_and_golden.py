"""Rubric validation against the plan, and the default survey's headline figures checked against
direct ``analysis`` calls (awareness codes, top-two rate, index, improvement share)."""

import copy

import numpy as np
import pytest
from sqlalchemy import select

import analysis
from surveyapp.definitions import builtin_path
from surveyapp.definitions import load_file
from surveyapp.definitions.plan import plan_for
from surveyapp.definitions.store import definition_of
from surveyapp.definitions.store import get_survey
from surveyapp.extensions import db
from surveyapp.models import AnalysisSettings
from surveyapp.results import settings as settings_service
from surveyapp.results.compute import compute_results
from surveyapp.results.data import load_frame
from surveyapp.results.rubric import RubricError
from surveyapp.results.rubric import validate_rubric

KEY = "nanyang-dcm"


def _shipped_rubric():
    definition = load_file(builtin_path(KEY))
    return copy.deepcopy(settings_service.default_settings(KEY, definition)["rubric"])


def _with(change):
    rubric = _shipped_rubric()
    change(rubric["indicators"][0])
    return rubric


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda ind: ind["estimate"].update(question="nope"), "nope"),
        (lambda ind: ind["estimate"].update(statistic="share", codes=[7]), "7"),
        (lambda ind: ind["estimate"].update(statistic="median"), "median"),
        (lambda ind: ind.update(rule=5), "target、proportional"),
        (lambda ind: ind.update(rule={"type": "tiers", "tiers": 7}), "tiers"),
        (lambda ind: ind.update(rule={"type": "target", "deduct": 0.25}), "target"),
        (lambda ind: ind.update(rule={"type": "tiers", "tiers": [{"min": 0.9, "points": 9}]}), "0"),
        (lambda ind: ind.update(points=-1), "分值"),
        (lambda ind: ind.pop("name"), "name"),
    ],
)
def test_bad_rubrics_are_refused_naming_the_problem(app, change, message):
    with app.app_context():
        plan = plan_for(definition_of(get_survey(KEY).latest_version))
        validate_rubric(_shipped_rubric(), plan)  # the shipped rubric is valid
        with pytest.raises(RubricError, match=message):
            validate_rubric(_with(change), plan)


def test_a_bad_rubric_is_never_stored(app):
    with app.app_context():
        survey = get_survey(KEY)
        rubric = _with(lambda ind: ind["estimate"].update(question="sat_nothing"))
        with pytest.raises(settings_service.SettingsError, match="sat_nothing"):
            settings_service.save(survey, {"rubric": rubric})
        db.session.rollback()
        assert db.session.scalars(select(AnalysisSettings)).all() == []
        row = settings_service.save(survey, {"rubric": _shipped_rubric()})
        assert row.number == 1


def test_default_headlines_equal_direct_analysis_calls(demo):
    with demo.app_context():
        survey = get_survey(KEY)
        results = compute_results(survey)
        definition = definition_of(survey.latest_version)
        frame = load_frame(survey)
        margins = settings_service.current(survey)[1]["margins"]
    # The codes that count as aware and improved come from the definition's analysis block.
    aware = next(h for h in definition.analysis["headlines"] if h["question"] == "awareness")
    improved = next(h for h in definition.analysis["headlines"] if h["question"] == "env_improved")
    assert aware["codes"] == [1, 2, 3] and improved["codes"] == [5, 4]
    for var in margins:
        frame[f"w_{var}"] = frame[var].map(lambda v: str(int(v)))
    frame["aware"] = frame["awareness"].isin([1, 2, 3]).astype(float)
    env = frame["env_improved"]
    frame["improved"] = np.where(env == 9, np.nan, env.isin([4, 5]).astype(float))
    design = analysis.rake(
        analysis.Design(frame), {f"w_{v}": cells for v, cells in margins.items()}
    )
    items = [f"sat_{x}" for x in ("appearance", "sanitation", "roads", "parking", "speed")]
    items += ["sat_quality", "sat_hotline"]
    table = {"5": 100, "4": 80, "3": 60, "2": 40, "1": 20}
    checks = [
        (
            results.estimate("awareness", "share", [1, 2, 3]),
            analysis.proportion(design, "aware")[1],
        ),
        (
            results.estimate("env_improved", "share", [5, 4]),
            analysis.proportion(design, "improved")[1],
        ),
        (
            results.estimate("sat_overall", "top2"),
            analysis.satisfaction_rate(design, "sat_overall", levels=[1, 2, 3, 4, 5], top=2),
        ),
        (
            results.estimate("index", "index"),
            analysis.dimension_index(design, items, levels=[1, 2, 3, 4, 5], table=table),
        ),
    ]
    # Distributions: every answer counts in the base (9 "can't say" included).
    for question, code in (("awareness", 4), ("env_improved", 9), ("sat_parking", 2)):
        checks.append(
            (
                results.estimate(question, "dist", [code]),
                analysis.proportion(design, question)[float(code)],
            )
        )
    for figure, direct in checks:
        assert figure.estimate == pytest.approx(direct.estimate, rel=1e-9)
        assert (figure.ci_low, figure.ci_high) == pytest.approx(direct.ci(0.95), rel=1e-9)
    # The indicators read exactly these figures.
    assert results.indicator("awareness").estimate == checks[0][0].estimate
    assert results.indicator("satisfaction").estimate == checks[2][0].estimate


def test_rubrics_saved_before_statistics_were_named_still_score(demo):
    legacy = {
        "indicators": [
            {
                "id": "env",
                "name": {"zh": "环境"},
                "points": 5,
                "estimate": {"kind": "improved", "question": "env_improved"},
                "rule": {"type": "proportional"},
            },
            {
                "id": "idx",
                "name": {"zh": "指数"},
                "points": 5,
                "estimate": {"kind": "index"},
                "rule": {"type": "target", "target": 85, "deduct": 0.2},
            },
        ]
    }
    with demo.app_context():
        survey = get_survey(KEY)
        settings = {**settings_service.current(survey)[1], "rubric": legacy}
        validate_rubric(legacy, plan_for(definition_of(survey.latest_version)))
        results = compute_results(survey, settings, 0)
    # "improved" meant the first two substantive codes as listed (best first): 5 and 4.
    env = results.indicator("env")
    assert env.codes == (5, 4)
    assert env.estimate == results.estimate("env_improved", "share", [4, 5]).estimate
    assert results.indicator("idx").estimate == results.estimate("index", "index").estimate
