"""``survey demo-data`` for any definition: every stored answer is one the form would accept
(types, scales, required, relevance, constraints), and satisfaction items correlate."""

import random

import numpy as np
import pytest
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from surveyapp.definitions import load_text
from surveyapp.definitions.qtypes import question_type
from surveyapp.definitions.store import definition_of
from surveyapp.definitions.store import get_survey
from surveyapp.definitions.store import save_definition
from surveyapp.demo import insert_demo_responses
from surveyapp.extensions import db
from surveyapp.models import Answer
from surveyapp.models import Response
from surveyapp.public.forms import Questionnaire
from surveyapp.results import settings as settings_service
from tests.second_survey import load_second


def _key(rng, used):
    while True:
        key = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(6))
        if key not in used:
            used.add(key)
            return key


def random_survey(seed):
    """A definition with random keys and codes, a seven-point scale listed best first in a shuffled
    code order, and relevance on a single choice and on a multiple choice; returns (yaml, keys)."""
    rng = random.Random(seed)
    used = set()
    k = {name: _key(rng, used) for name in ("region", "gate", "multi", "group", "overall")}
    k.update({name: _key(rng, used) for name in ("rate", "num", "txt", "follow", "i1", "i2", "i3")})
    scale_codes = rng.sample(range(10, 60), 7)
    dont_know = 99
    region_codes = rng.sample(range(100, 999), 3)
    scale = "\n".join(
        f"    - {{code: {c}, label: {{zh: 第{i}级, en: level {i}}}}}"
        for i, c in enumerate(scale_codes)
    )
    regions = "\n".join(
        f"      - {{code: {c}, label: {{zh: 片区{c}, en: area {c}}}}}" for c in region_codes
    )
    text = f"""
key: random-{seed}
title: {{zh: 随机问卷, en: Random survey}}
scales:
  sat7:
{scale}
    - {{code: {dont_know}, label: {{zh: 未接触过, en: Not experienced}}, substantive: false}}
questions:
  - key: {k["region"]}
    type: demographic
    required: true
    text: {{zh: 片区, en: Area}}
    choices:
{regions}
  - key: {k["gate"]}
    type: single
    required: true
    text: {{zh: 用过吗, en: Used it}}
    choices:
      - {{code: 7, label: {{zh: 用过, en: "Yes"}}}}
      - {{code: 3, label: {{zh: 没用过, en: "No"}}}}
  - key: {k["multi"]}
    type: multiple
    required: true
    max_choices: 2
    relevant: {k["gate"]} == 7
    text: {{zh: 哪些, en: Which}}
    choices:
      - {{code: 21, label: {{zh: 甲, en: A}}}}
      - {{code: 22, label: {{zh: 乙, en: B}}}}
      - {{code: 23, label: {{zh: 丙, en: C}}}}
      - {{code: 24, label: {{zh: 丁, en: D}}}}
  - key: {k["follow"]}
    type: text
    required: true
    max_length: 4
    relevant: {k["multi"]} has 24
    text: {{zh: 请说明, en: Which one}}
  - key: {k["group"]}
    type: likert_group
    scale: sat7
    required: true
    relevant: {k["gate"]} in [7]
    text: {{zh: 各项满意度, en: Items}}
    items:
      - {{key: {k["i1"]}, label: {{zh: 一, en: one}}}}
      - {{key: {k["i2"]}, label: {{zh: 二, en: two}}}}
      - {{key: {k["i3"]}, label: {{zh: 三, en: three}}}}
  - {{key: {k["overall"]}, type: likert, scale: sat7, required: true, text: {{zh: 总体, en: Overall}}}}
  - {{key: {k["rate"]}, type: rating, text: {{zh: 打分, en: Rating}}}}
  - {{key: {k["num"]}, type: number, min: 2.5, max: 7, text: {{zh: 数字, en: Number}}}}
  - {{key: {k["txt"]}, type: long_text, max_length: 5, text: {{zh: 建议, en: Advice}}}}
"""
    return text, k, scale_codes


def _stored(survey):
    """{response id: [(question, code, number, text), ...]} of the survey's responses."""
    rows = db.session.execute(
        select(Answer.response_id, Answer.question, Answer.code, Answer.number, Answer.text)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.survey_id == survey.id)
    ).all()
    out = {rid: [] for rid in db.session.scalars(select(Response.id))}
    for rid, *rest in rows:
        out[rid].append(tuple(rest))
    return out


def _assert_form_accepts(app, survey):
    """Posting each stored response's answers to the form must validate and give the same rows."""
    definition = definition_of(survey.latest_version)
    with app.test_request_context(), db.session.no_autoflush:
        csrf = generate_csrf()
        for rid, rows in _stored(survey).items():
            formdata = MultiDict({"csrf_token": csrf})
            for question, code, number, text in rows:
                value = code if code is not None else number if number is not None else text
                if isinstance(value, float) and value.is_integer():
                    value = int(value)
                formdata.add(question, str(value))
            questionnaire = Questionnaire(definition, "zh_CN", formdata)
            assert questionnaire.validate(), (rid, rows, questionnaire.errors())
            assert sorted(map(tuple, questionnaire.rows), key=repr) == sorted(rows, key=repr)


def _ranks(definition, rows_by_response, key):
    """Rank of each response's answer to ``key`` on its scale (0 = best), NaN when none."""
    question = definition.question(key)
    ranked = [c.code for c in question_type(question.type).ranked_choices(question)]
    out = []
    for rows in rows_by_response.values():
        code = next((c for q, c, _n, _t in rows if q == key), None)
        out.append(ranked.index(code) if code in ranked else np.nan)
    return np.array(out, dtype=float)


def _correlations(definition, survey, keys):
    stored = _stored(survey)
    ranks = np.column_stack([_ranks(definition, stored, key) for key in keys])
    both = ~np.isnan(ranks).any(axis=1)
    return np.corrcoef(ranks[both].T)[np.triu_indices(len(keys), 1)]


def test_demo_data_for_the_second_survey_is_valid_and_correlated(app, runner):
    definition = load_second(runner)
    with app.app_context():
        survey = get_survey(definition.key)
        assert insert_demo_responses(survey, 600, seed=5) == 600
        db.session.commit()
        _assert_form_accepts(app, survey)
        items = [k for q in definition.questions if q.scale for k in q.answer_keys]
        assert len(items) >= 4
        assert (_correlations(definition, survey, items) > 0.2).all()


@pytest.mark.parametrize("seed", [3, 17])
def test_demo_data_for_a_random_survey_respects_every_rule(app, seed):
    text, k, _scale_codes = random_survey(seed)
    definition = load_text(text, "random.yaml")
    with app.app_context():
        save_definition(definition)
        db.session.commit()
        survey = get_survey(definition.key)
        region = definition.question(k["region"])
        big = region.codes[0]
        margins = {str(c): (90_000 if c == big else 5_000) for c in region.codes}
        settings_service.save(survey, {"weighting": "rake", "margins": {k["region"]: margins}})
        insert_demo_responses(survey, 800, seed=9)
        db.session.commit()
        _assert_form_accepts(app, survey)
        stored = _stored(survey)
        answers = [{q: (c, n, t) for q, c, n, t in rows} for rows in stored.values()]
        # Demographics follow the margins (a 90% cell is the large majority of the sample).
        share = np.mean([a[k["region"]][0] == big for a in answers])
        assert share > 0.7
        # Relevance: the branch appears exactly when its gate opens it, and is sometimes open.
        opened = [a[k["gate"]][0] == 7 for a in answers]
        assert 0 < sum(opened) < len(answers)
        assert all((k["i1"] in a) == o for a, o in zip(answers, opened))
        assert any(k["follow"] in a for a in answers)
        # Scale items correlate by their listed order (codes are shuffled), and some say 99.
        keys = [k["i1"], k["i2"], k["i3"], k["overall"]]
        assert (_correlations(definition, survey, keys) > 0.2).all()
        assert any(a[k["overall"]][0] == 99 for a in answers)
        numbers = [a[k["num"]][1] for a in answers if k["num"] in a]
        assert numbers and min(numbers) >= 2.5 and max(numbers) <= 7


@pytest.mark.parametrize("n", [1])
def test_demo_data_command_adds_responses_to_any_survey(runner, n):
    definition = load_second(runner)
    result = runner.invoke(args=["survey", "demo-data", definition.key, "--n", str(n)])
    assert result.exit_code == 0, result.output
    assert f"added {n} synthetic responses" in result.output


def test_draws_are_reproducible_from_the_seed():
    from surveyapp.demo.draw import draw_answers

    text, _k, _codes = random_survey(seed=4)
    definition = load_text(text, "random.yaml")
    a, b, c = (draw_answers(definition, 2000, np.random.default_rng(s)) for s in (1, 1, 2))
    for key in definition.answer_keys:
        assert np.array_equal(a[key].answered, b[key].answered)
        assert np.array_equal(a[key].number, b[key].number, equal_nan=True)
    assert any(not np.array_equal(a[k].answered, c[k].answered) for k in definition.answer_keys)
