"""Likert scoring, satisfaction rate, dimension index, reliability."""

import numpy as np
import pandas as pd
import pytest

from analysis import Design
from analysis import SurveyError
from analysis import cronbach_alpha
from analysis import dimension_index
from analysis import mean
from analysis import satisfaction_rate
from analysis import score
from analysis import score_items
from analysis._scoring import level_scores


@pytest.fixture(scope="module")
def likert():
    rng = np.random.default_rng(7)
    n = 300
    base = rng.integers(1, 6, n)
    frame = pd.DataFrame(
        {
            "q1": base.astype(object),
            "q2": np.clip(base + rng.integers(-1, 2, n), 1, 5).astype(object),
            "q3": rng.integers(1, 6, n).astype(object),
            "w": rng.uniform(0.5, 2.0, n),
            "psu": rng.integers(0, 30, n),
            "region": rng.choice(["A", "B"], n),
        }
    )
    frame.loc[::10, "q1"] = "Don't know"
    frame.loc[5::17, "q2"] = np.nan
    return frame


@pytest.fixture(scope="module")
def ldesign(likert):
    return Design(likert, weights="w", clusters="psu")


def test_linear_and_table_scores():
    np.testing.assert_allclose(level_scores([1, 2, 3, 4, 5]), [0, 25, 50, 75, 100])
    table = {5: 100, 4: 80, 3: 60, 2: 40, 1: 20}
    np.testing.assert_allclose(level_scores([1, 2, 3, 4, 5], table), [20, 40, 60, 80, 100])
    with pytest.raises(SurveyError):
        level_scores([1, 2, 3], {1: 0, 2: 50})


def test_score_excludes_non_substantive_and_reports_base(likert, ldesign):
    levels = [1, 2, 3, 4, 5]
    est = score(ldesign, "q1", levels=levels)
    substantive = likert["q1"].isin(levels)
    assert est.n == int(substantive.sum())
    values = likert.loc[substantive, "q1"].astype(float)
    w = likert.loc[substantive, "w"]
    assert est.estimate == pytest.approx(np.sum(w * (values - 1) * 25) / w.sum())
    # a score is a weighted mean of the mapped values: same SE as mean() of that column
    mapped = likert["q1"].map({1: 0.0, 2: 25.0, 3: 50.0, 4: 75.0, 5: 100.0})
    d2 = Design(likert.assign(s=mapped), weights="w", clusters="psu")
    assert est.se == pytest.approx(mean(d2, "s").se, rel=1e-12)


def test_text_levels_need_an_order(likert):
    frame = likert.assign(t=np.where(likert["w"] > 1, "good", "poor"))
    d = Design(frame, weights="w")
    with pytest.raises(SurveyError, match="levels"):
        score(d, "t")
    assert score(d, "t", levels=["poor", "good"]).estimate > 0
    # numeric answers with a "Don't know" option need no explicit order
    assert score(d, "q1").estimate == pytest.approx(score(d, "q1", levels=[1, 2, 3, 4, 5]).estimate)


def test_satisfaction_rate_is_top_two_share(likert, ldesign):
    r = satisfaction_rate(ldesign, "q1", levels=[1, 2, 3, 4, 5])
    sub = likert[likert["q1"].isin([1, 2, 3, 4, 5])]
    expected = sub.loc[sub["q1"].isin([4, 5]), "w"].sum() / sub["w"].sum()
    assert r.estimate == pytest.approx(expected)
    assert r.count == int(sub["q1"].isin([4, 5]).sum())
    low, high = r.ci(0.95)
    assert low < r.estimate < high


def test_dimension_index_equals_weighted_combination(ldesign):
    levels = [1, 2, 3, 4, 5]
    items = {"q1": 2.0, "q2": 1.0, "q3": 1.0}
    idx = dimension_index(ldesign, items, levels=levels)
    parts = {k: score(ldesign, k, levels=levels).estimate for k in items}
    expected = (2 * parts["q1"] + parts["q2"] + parts["q3"]) / 4
    assert idx.estimate == pytest.approx(expected)
    assert idx.se > 0
    low, high = idx.ci(0.95)
    assert low < idx.estimate < high


def test_dimension_index_of_one_item_is_its_score(ldesign):
    levels = [1, 2, 3, 4, 5]
    idx = dimension_index(ldesign, ["q3"], levels=levels)
    s = score(ldesign, "q3", levels=levels)
    assert idx.estimate == pytest.approx(s.estimate)
    assert idx.se == pytest.approx(s.se, rel=1e-10)


def test_index_variance_includes_item_covariance(likert):
    # two identical items: the index SE equals the single-item SE (perfect correlation);
    # treating them as independent would shrink it by 1/sqrt(2)
    frame = likert.assign(q4=likert["q3"])
    d = Design(frame, weights="w", clusters="psu")
    one = score(d, "q3", levels=[1, 2, 3, 4, 5])
    both = dimension_index(d, ["q3", "q4"], levels=[1, 2, 3, 4, 5])
    assert both.se == pytest.approx(one.se, rel=1e-10)


def test_score_items_matches_single_calls(likert):
    for design in (Design(likert, weights="w"), Design(likert, weights="w", clusters="psu")):
        table = score_items(design, ["q1", "q3"], levels=[1, 2, 3, 4, 5]).set_index("item")
        for item in ("q1", "q3"):
            s = score(design, item, levels=[1, 2, 3, 4, 5])
            r = satisfaction_rate(design, item, levels=[1, 2, 3, 4, 5])
            assert table.loc[item, "score"] == pytest.approx(s.estimate)
            assert table.loc[item, "score_se"] == pytest.approx(s.se, rel=1e-9)
            assert table.loc[item, "rate"] == pytest.approx(r.estimate)
            assert table.loc[item, "rate_se"] == pytest.approx(r.se, rel=1e-9)
            assert table.loc[item, "base"] == s.n


def test_cronbach_alpha_unweighted_textbook():
    # k = 3 items; alpha = k/(k-1) * (1 - sum var_i / var_total)
    data = pd.DataFrame({"a": [1, 2, 3, 4, 5, 3], "b": [2, 2, 3, 5, 4, 3], "c": [1, 3, 3, 4, 5, 2]})
    d = Design(data)
    rel = cronbach_alpha(d, ["a", "b", "c"])
    items = data.to_numpy(float)
    var_i = items.var(axis=0).sum()
    var_t = items.sum(axis=1).var()
    assert rel.alpha == pytest.approx(1.5 * (1 - var_i / var_t))
    assert rel.k == 3 and rel.n == 6
