"""Design-based regression (svyglm, gaussian and quasibinomial) against R's survey package
(data/r_reference_estimators.csv, produced by data/r_reference_estimators.R)."""

import numpy as np
import pytest

from analysis import Design
from analysis import DesignError
from analysis import SurveyError
from analysis import logistic_drivers
from analysis import regression

from .r_reference import api_designs
from .r_reference import load_reference
from .r_reference import near


@pytest.fixture(scope="module")
def r():
    return load_reference()


@pytest.fixture(scope="module")
def designs(dstrat, dclus1):
    return api_designs(dstrat, dclus1)


CASES = [
    ("glm_strat_api00", "strat", "api00", ["ell", "meals", "mobility"], {}),
    ("glm_clus1_stype", "clus1", "api00", ["ell", "meals", "stype"], {}),
    ("glm_clus1_na", "clus1", "api00", ["acs.46", "ell"], {}),
    ("glm_clus1p_api00", "clus1p", "api00", ["ell", "meals"], {}),
    ("glm_clus1_relevel", "clus1", "api00", ["ell", "stype"], {"factors": {"stype": "M"}}),
    (
        "logit_clus1_schwide",
        "clus1",
        "sch.wide",
        ["ell", "meals", "stype"],
        {"family": "quasibinomial", "positive": "Yes"},
    ),
    (
        "logit_strat_awards",
        "strat",
        "awards",
        ["api99", "mobility", "stype"],
        {"family": "quasibinomial", "positive": "Yes"},
    ),
    ("glm_clus1_subset_E", "clus1", "api00", ["ell", "meals"], {"subset": ("stype", "E")}),
    (
        "logit_strat_subset_M",
        "strat",
        "awards",
        ["api99", "mobility"],
        {"family": "quasibinomial", "positive": "Yes", "subset": ("stype", "M")},
    ),
    (
        "logit_clus1p_awards",
        "clus1p",
        "awards",
        ["meals", "acs.46"],
        {"family": "quasibinomial", "positive": "Yes"},
    ),
]
COLUMNS = {"coef": "coef", "se": "se", "t": "t", "p_value": "p_value"}
COLUMNS |= {"ci_low": "ci_low", "ci_high": "ci_high"}
ODDS = {"or": "odds_ratio", "or_low": "or_low", "or_high": "or_high"}


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_regression_matches_svyglm(r, designs, case):
    cid, design, outcome, predictors, options = case
    model = regression(designs[design], outcome, predictors, **options)
    table = model.table(0.95)
    assert len(table) == r[cid, "n_terms"]
    assert model.df == r[cid, "df"]
    columns = COLUMNS | (ODDS if model.family == "quasibinomial" else {})
    for k, row in table.iterrows():
        for column, quantity in columns.items():
            assert near(row[column], r[f"{cid}_{k + 1}", quantity]), (cid, row.term, column)


def test_factor_terms_and_reference_level(designs):
    model = regression(designs["clus1"], "api00", ["ell", "stype"], factors={"stype": "M"})
    assert model.terms == ("(Intercept)", "ell", "stypeE", "stypeH")
    assert model.reference == {"stype": "M"}
    default = regression(designs["clus1"], "api00", ["ell", "stype"])
    assert default.terms[-2:] == ("stypeH", "stypeM")


def test_unweighted_linear_regression_equals_ols_coefficients():
    rng = np.random.default_rng(3)
    x = rng.normal(size=50)
    y = 2 + 0.5 * x + rng.normal(size=50)
    model = regression(Design({"x": x, "y": y}), "y", ["x"])
    expected = np.polyfit(x, y, 1)[::-1]
    assert model.coef == pytest.approx(expected, rel=1e-10)
    assert model.df == 48


def test_regression_bad_input_names_the_column(designs):
    with pytest.raises(DesignError, match="'nope'"):
        regression(designs["clus1"], "api00", ["nope"])
    with pytest.raises(DesignError, match="'sch.wide'"):
        regression(designs["clus1"], "sch.wide", ["ell"], family="quasibinomial")
    with pytest.raises(SurveyError, match="'api00'"):
        regression(designs["clus1"], "api00", ["ell"], family="quasibinomial")
    with pytest.raises(SurveyError, match="'stype'"):
        regression(designs["clus1"], "api00", ["stype"], factors={"stype": "X"})
    with pytest.raises(SurveyError, match="'stype'"):
        regression(designs["clus1"], "api00", ["ell"], subset=("stype", "X"))
    with pytest.raises(SurveyError, match="collinear"):
        regression(designs["clus1"], "api00", ["api00", "api00"])


def test_logistic_drivers_rank_the_odds_ratios_of_svyglm(r, designs):
    result = logistic_drivers(designs["clus1p"], "awards", ["meals", "acs.46"], positive="Yes")
    table = result.table
    for k, row in table.iterrows():
        key = f"logit_clus1p_awards_{k + 2}"
        assert near(row["or"], r[key, "odds_ratio"])
        assert near(row["or_low"], r[key, "or_low"]) and near(row["or_high"], r[key, "or_high"])
    data = designs["clus1p"].data
    ok = data[["meals", "acs.46", "awards"]].notna().all(axis=1).to_numpy()
    w = designs["clus1p"].weights[ok]
    sd = [np.sqrt(np.cov(data.loc[ok, c], aweights=w, ddof=0)) for c in ("meals", "acs.46")]
    std = table["coef"].to_numpy() * np.array(sd)
    assert table["std_coef"].to_numpy() == pytest.approx(std, rel=1e-9)
    assert sorted(table["rank"]) == [1, 2]
    assert table.loc[np.argmax(np.abs(std)), "rank"] == 1
