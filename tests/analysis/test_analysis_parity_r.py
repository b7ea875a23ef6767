"""Issue 15: agreement with R's survey package to 1e-6 relative.

Every reference value comes from ``data/r_parity_reference.R`` (run with R 4.2 and survey
4.1.1) and is kept, with the R call that produced it, in ``data/r_parity_reference.csv``;
R is not needed to run these tests.
"""

import csv

import pandas as pd
import pytest

from analysis import Design
from analysis import mean
from analysis import proportion
from analysis import ratio
from analysis import total

from .conftest import DATA

REL = 1e-6


@pytest.fixture(scope="module")
def r():
    values = {}
    with open(DATA / "r_parity_reference.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            values.setdefault(row["id"], {})[row["quantity"]] = float(row["value"])
    return values


@pytest.fixture(scope="module")
def apiclus2():
    return pd.read_csv(DATA / "apiclus2.csv")


def agree(actual, expected):
    return actual == pytest.approx(expected, rel=REL, abs=1e-12)


def check(ref, est, method=None):
    """Estimate, SE, df and both interval ends of ``est`` against R's values."""
    low, high = est.ci(0.95, method) if method else est.ci(0.95)
    assert agree(est.estimate, ref["estimate"])
    assert agree(est.se, ref["se"])
    assert agree(est.df, ref["df"])
    assert agree(low, ref["ci_low"])
    assert agree(high, ref["ci_high"])


# ---- 1. multistage designs, fpc at each stage; weights inferred from the fpc (item 11)
@pytest.fixture(scope="module")
def dclus2(apiclus2):
    return Design(apiclus2, clusters=["dnum", "snum"], fpc=["fpc1", "fpc2"])


def test_two_stage_mean_total_share_and_ratio(r, dclus2):
    check(r["clus2_mean_api00"], mean(dclus2, "api00"))
    check(r["clus2_total_enroll"], total(dclus2, "enroll"))
    check(r["clus2_mean_ell"], mean(dclus2, "ell"))
    check(r["clus2_ratio"], ratio(dclus2, "api00", "api99"))
    check(r["clus2_share_schwide"], proportion(dclus2, "sch.wide")["Yes"], "logit")


def test_two_stage_weights_are_inferred_from_the_fpc(r, dclus2):
    for row in (1, 4, 126):
        assert agree(dclus2.weights[row - 1], r[f"clus2_weight_row{row}"]["weight"])


def test_two_stage_with_given_weights(r, apiclus2):
    d = Design(apiclus2, weights="pw", clusters=["dnum", "snum"], fpc=["fpc1", "fpc2"])
    check(r["clus2w_mean_api00"], mean(d, "api00"))


def test_stratified_two_stage_with_lonely_second_stage_units(r, apiclus2):
    frame = apiclus2.assign(fpc1=300)
    d = Design(
        frame,
        weights="pw",
        strata="stype",
        clusters=["dnum", "snum"],
        fpc=["fpc1", "fpc2"],
        lonely_psu="adjust",
    )
    check(r["strat2_total_enroll"], total(d, "enroll"))


def test_one_stage_fpc_without_weights(r, apistrat):
    d = Design(apistrat, strata="stype", fpc="fpc")
    check(r["strat_noweights_total_enroll"], total(d, "enroll"))


# ---- 4. lonely PSUs as R's options(survey.lonely.psu=)
@pytest.mark.parametrize("option", ["adjust", "remove", "certainty", "average"])
def test_lonely_psu_options_match_r(r, apistrat, option):
    first_h = apistrat.index[apistrat["stype"] == "H"][0]
    frame = apistrat[(apistrat["stype"] != "H") | (apistrat.index == first_h)]
    d = Design(frame, weights="pw", strata="stype", lonely_psu=option)
    check(r[f"lonely_{option}_total_enroll"], total(d, "enroll"))
    check(r[f"lonely_{option}_mean_api00"], mean(d, "api00"))
    df = Design(frame, weights="pw", strata="stype", fpc="fpc", lonely_psu=option)
    check(r[f"lonely_{option}_fpc_total_enroll"], total(df, "enroll"))
