"""Replicate-weight designs against R's svrepdesign / as.svrepdesign (values in
data/r_reference_estimators.csv; the random bootstrap and R's Hadamard BRR/Fay factors in
data/r_replicate_factors.csv, both written by data/r_reference_estimators.R)."""

import numpy as np
import pandas as pd
import pytest

import analysis as A
from analysis import DesignError
from analysis import SurveyError

from .conftest import DATA
from .r_reference import POP_TYPES
from .r_reference import load_reference
from .r_reference import near

BINS = [0, 500, 600, 700, 800, 1000]


@pytest.fixture(scope="module")
def r():
    return load_reference()


@pytest.fixture(scope="module")
def frames(apistrat, apiclus1):
    strat, clus = apistrat.copy(), apiclus1.copy()
    for frame in (strat, clus):  # the R script's 1-5 item: as.numeric(cut(api00, BINS))
        frame["q"] = pd.cut(frame.api00, BINS, labels=[1, 2, 3, 4, 5]).astype(int)
    ids = sorted(clus.dnum.unique())[:14]
    pairs = clus[clus.dnum.isin(ids)].copy()
    pairs["pair"] = [ids.index(d) // 2 for d in pairs.dnum]
    return {"strat": strat, "clus1": clus, "pairs": pairs}


def supplied(frame, cid, **options):
    """svrepdesign(..., combined.weights=FALSE) with R's own replicate factors per PSU."""
    factors = pd.read_csv(DATA / "r_replicate_factors.csv")
    table = factors[factors.design == cid].pivot(index="psu", columns="replicate", values="factor")
    matrix = table.loc[frame.dnum].to_numpy()
    return A.replicate_design(frame, "pw", matrix, combined=False, **options)


@pytest.fixture(scope="module")
def designs(frames, r):
    clus = A.Design(frames["clus1"], weights="pw", clusters="dnum", fpc="fpc")
    strat = A.Design(frames["strat"], weights="pw", strata="stype", fpc="fpc")
    return {
        "rep_clus1_jk1": A.as_replicate_design(clus, "JK1"),
        "rep_strat_jkn": A.as_replicate_design(strat, "JKn"),
        "rep_clus1_boot": supplied(
            frames["clus1"], "rep_clus1_boot", type="bootstrap", scale=r["rep_clus1_boot", "scale"]
        ),
        "rep_pairs_brr": supplied(frames["pairs"], "rep_pairs_brr", type="BRR"),
        "rep_pairs_fay": supplied(frames["pairs"], "rep_pairs_fay", type="Fay", rho=0.3),
    }


def check(actual, expected, label):
    assert near(actual, expected), (label, actual, expected)


@pytest.mark.parametrize(
    "cid", ["rep_clus1_jk1", "rep_strat_jkn", "rep_clus1_boot", "rep_pairs_brr", "rep_pairs_fay"]
)
def test_replicate_variances_match_svrepdesign(r, designs, cid):
    d = designs[cid]
    assert d.df == r[cid, "df"]
    assert near(d.scale, r[cid, "scale"])
    results = {
        "mean_api00": A.mean(d, "api00"),
        "total_enroll": A.total(d, "enroll"),
        "ratio": A.ratio(d, "api00", "api99"),
        "var_api00": A.population_variance(d, "api00"),
        "score_q": A.score(d, "q", levels=[1, 2, 3, 4, 5]),
    }
    for key, est in results.items():
        check(est.estimate, r[f"{cid}_{key}", "estimate"], key)
        check(est.se, r[f"{cid}_{key}", "se"], key)
        assert est.df == d.df
    for category in ("No", "Yes"):
        share = A.proportion(d, "sch.wide")[category]
        check(share.se, r[f"{cid}_mean_sch.wide{category}", "se"], category)
        count = A.counts(d, "sch.wide")[category]
        check(count.estimate, r[f"{cid}_tota_sch.wide{category}", "estimate"], category)
        check(count.se, r[f"{cid}_tota_sch.wide{category}", "se"], category)
    median = A.quantile(d, "api00")[0.5]
    for attr, quantity in [("estimate", "quantile"), ("low", "ci_low"), ("high", "ci_high")]:
        check(getattr(median, attr), r[f"{cid}_median", quantity], attr)
    check(median.se, r[f"{cid}_median", "se"], "median se")
    for tag, model in [
        ("glm", A.regression(d, "api00", ["ell", "meals"])),
        ("logit", A.regression(d, "sch.wide", ["ell", "meals"], "quasibinomial", positive="Yes")),
    ]:
        assert model.df == r[f"{cid}_{tag}", "df"]
        for k in range(3):
            check(model.coef[k], r[f"{cid}_{tag}_{k + 1}", "coef"], (tag, k))
            check(model.se[k], r[f"{cid}_{tag}_{k + 1}", "se"], (tag, k))


def test_own_brr_is_fully_balanced(frames, r):
    """Any Hadamard set with full orthogonal balance gives R's (and the linearised) SE of a total."""
    design = A.Design(frames["pairs"], weights="pw", strata="pair", clusters="dnum")
    brr = A.as_replicate_design(design, "BRR")
    assert brr.n_replicates == 8 and brr.df == r["rep_pairs_brr", "df"]
    check(A.total(brr, "enroll").se, r["rep_pairs_brr_total_enroll", "se"], "BRR total")
    check(A.total(brr, "enroll").se, A.total(design, "enroll").se, "linearised")
    fay = A.as_replicate_design(design, "Fay", rho=0.3)
    check(A.total(fay, "enroll").se, r["rep_pairs_fay_total_enroll", "se"], "Fay total")


@pytest.mark.parametrize("kind", ["bootstrap", "subbootstrap"])
def test_own_bootstraps_agree_with_linearisation(frames, kind):
    design = A.Design(frames["strat"], weights="pw", strata="stype")
    boot = A.as_replicate_design(design, kind, replicates=400, seed=7)
    assert boot.replicate_weights.mean(axis=1) == pytest.approx(design.weights, rel=0.25)
    linear = A.total(design, "enroll").se
    assert A.total(boot, "enroll").se == pytest.approx(linear, rel=0.12)


def test_domain_estimates_and_differences_use_the_replicates(designs):
    d = designs["rep_clus1_jk1"]
    by = A.mean(d, "api00", by="stype")
    assert by.covariance.shape == (3, 3)
    assert np.sqrt(np.diag(by.covariance)) == pytest.approx([e.se for e in by])
    diff = A.domain_difference(by, "E", "H")
    expected = by.covariance[0, 0] + by.covariance[1, 1] - 2 * by.covariance[0, 1]
    assert diff.se == pytest.approx(np.sqrt(expected))
    drivers = A.logistic_drivers(d, "sch.wide", ["ell", "meals"], positive="Yes")
    assert drivers.model.df == d.df + 1 - 3


def test_replicate_design_bad_input(designs, frames):
    strat = A.Design(frames["strat"], weights="pw", strata="stype", fpc="fpc")
    with pytest.raises(DesignError, match="JK1"):
        A.as_replicate_design(strat, "JK1")
    with pytest.raises(DesignError, match="two PSUs"):
        A.as_replicate_design(strat, "BRR")
    with pytest.raises(DesignError, match="rho"):
        A.as_replicate_design(strat, "Fay")
    with pytest.raises(DesignError, match="type"):
        A.as_replicate_design(strat, "jackknife")
    with pytest.raises(DesignError, match="'nope'"):
        A.replicate_design(frames["strat"], "pw", ["nope"], "bootstrap")
    with pytest.raises(DesignError, match="rscales"):
        A.replicate_design(frames["strat"], "pw", np.ones((200, 3)), "JKn")
    with pytest.raises(SurveyError, match="describe_items"):
        A.describe_items(designs["rep_clus1_jk1"], ["sch.wide"])
    with pytest.raises(SurveyError, match="chisq_test"):
        A.chisq_test(designs["rep_clus1_jk1"], "stype", "sch.wide")


CALIBRATED = {
    "repcal_clus1_linear": lambda d: A.calibrate(d, {"stype": POP_TYPES, "api99": 3914069}),
    "repcal_clus1_raking": lambda d: A.calibrate(
        d, {"stype": POP_TYPES, "api99": 3914069}, calfun="raking"
    ),
    "repcal_clus1_post": lambda d: A.poststratify(d, "stype", POP_TYPES),
}


@pytest.mark.parametrize("cid", list(CALIBRATED))
def test_weighting_a_replicate_design_reweights_every_replicate(r, designs, cid):
    weighted = CALIBRATED[cid](designs["rep_clus1_jk1"])
    assert isinstance(weighted, A.ReplicateDesign)
    assert weighted.df == r[cid, "df"]
    for key, est in [
        ("mean_api00", A.mean(weighted, "api00")),
        ("total_enroll", A.total(weighted, "enroll")),
    ]:
        check(est.estimate, r[f"{cid}_{key}", "estimate"], key)
        check(est.se, r[f"{cid}_{key}", "se"], key)


@pytest.mark.parametrize("mse", [False, True])
def test_satisfaction_rate_and_index_by_hand(frames, mse):
    """Replicate SEs of a top-two rate and of a two-item index, recomputed here with numpy."""
    frame = frames["clus1"].assign(q2=lambda f: 6 - f.q)
    design = A.Design(frame, weights="pw", clusters="dnum", fpc="fpc")
    jk = A.as_replicate_design(design, "JK1", mse=mse)
    W = jk.replicate_weights
    top = (frame.q >= 4).to_numpy(float)
    index = (100 * (frame.q - 1) / 4 * 2 + 100 * (frame.q2 - 1) / 4) / 3
    for est, values in [
        (A.satisfaction_rate(jk, "q", levels=[1, 2, 3, 4, 5]), top),
        (A.dimension_index(jk, {"q": 2, "q2": 1}, levels=[1, 2, 3, 4, 5]), index.to_numpy()),
    ]:
        full = np.sum(design.weights * values) / design.weights.sum()
        reps = W.T @ values / W.sum(axis=0)
        centre = full if mse else reps.mean()
        expected = jk.scale * np.sum((reps - centre) ** 2)
        assert est.estimate == pytest.approx(full, rel=1e-12)
        assert est.se == pytest.approx(np.sqrt(expected), rel=1e-10)
        assert est.df == 14


@pytest.mark.parametrize("cid", ["rep_clus1_jk1", "rep_strat_jkn", "rep_clus1_boot"])
def test_every_replicate_at_once_equals_one_replicate_at_a_time(designs, cid):
    """The estimate-only path given a WeightBlock (all replicates) gives each replicate's
    estimate as re-running it with that replicate's weights (compressed and supplied)."""
    from analysis import _estimators as E

    d = designs[cid]
    calls = [
        (E.mean, ("acs.k3",), {}),
        (E.mean, ("api00",), {"by": "stype"}),
        (E.total, ("acs.46",), {"by": "stype"}),
        (E.ratio, ("acs.core", "api99"), {}),
        (E.ratio, ("api00", "acs.k3"), {"by": "stype"}),
    ]
    for fn, args, kwargs in calls:
        block = fn(d.weight_block(), *args, **kwargs)
        for r in range(d.n_replicates):
            one = fn(d.replicate(r), *args, **kwargs)
            expected = [e.estimate for e in one] if kwargs else [one.estimate]
            np.testing.assert_allclose(block[:, r], expected, rtol=1e-13, atol=0)
