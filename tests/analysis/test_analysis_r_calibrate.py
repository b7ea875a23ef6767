"""calibrate() (linear, raking, logit; categorical and numeric auxiliaries; bounds) against R's
survey::calibrate (data/r_reference_estimators.csv, produced by data/r_reference_estimators.R)."""

import numpy as np
import pytest

from analysis import CalibrationError
from analysis import ConvergenceError
from analysis import calibrate
from analysis import mean
from analysis import proportion
from analysis import quantile
from analysis import rake
from analysis import regression
from analysis import total

from .r_reference import POP_TYPES
from .r_reference import load_reference
from .r_reference import near

SCHWIDE = {"No": 1072, "Yes": 5122}
CASES = {
    "cal_clus1_linear": ("clus1", {"stype": POP_TYPES, "api99": 3914069}, {}),
    "cal_clus1_raking": ("clus1", {"stype": POP_TYPES, "api99": 3914069}, {"calfun": "raking"}),
    "cal_clus1_logit": (
        "clus1",
        {"stype": POP_TYPES, "api99": 3914069},
        {"calfun": "logit", "bounds": (0.5, 2.5)},
    ),
    "cal_clus1_linbound": ("clus1", {"stype": POP_TYPES, "api99": 3914069}, {"bounds": (0.7, 1.7)}),
    "cal_strat_full": (
        "strat",
        {"stype": POP_TYPES, "sch.wide": SCHWIDE, "api99": 3914069, "meals": 297533},
        {"calfun": "raking"},
    ),
    "cal_strat_numeric": ("strat", {"api99": 3914069, "meals": 297533}, {}),
}


@pytest.fixture(scope="module")
def r():
    return load_reference()


@pytest.fixture(scope="module")
def designs(dstrat, dclus1):
    return {"strat": dstrat, "clus1": dclus1}


def close(actual, expected):
    """1e-6 relative; values R computes as zero (a calibrated share's SE) to 1e-12 absolute."""
    if abs(expected) < 1e-12:
        return abs(actual) < 1e-9
    return near(actual, expected)


@pytest.mark.parametrize("cid", list(CASES))
def test_calibrate_matches_r(r, designs, cid):
    design, population, options = CASES[cid]
    cal = calibrate(designs[design], population, **options)
    assert near(cal.weights.min(), r[cid, "min_weight"])
    assert near(cal.weights.max(), r[cid, "max_weight"])
    m = mean(cal, "api00")
    t = total(cal, "enroll")
    values = [
        (m.estimate, r[f"{cid}_svymean_api00", "estimate"]),
        (m.se, r[f"{cid}_svymean_api00", "se"]),
        (t.estimate, r[f"{cid}_svytotal_enroll", "estimate"]),
        (t.se, r[f"{cid}_svytotal_enroll", "se"]),
    ]
    for category in ("No", "Yes"):
        share = proportion(cal, "sch.wide")[category]
        key = f"{cid}_svymean_sch.wide{category}"
        values += [(share.estimate, r[key, "estimate"]), (share.se, r[key, "se"])]
    median = quantile(cal, "api00")[0.5]
    values += [(median.estimate, r[f"{cid}_median", "quantile"])]
    values += [
        (median.low, r[f"{cid}_median", "ci_low"]),
        (median.high, r[f"{cid}_median", "ci_high"]),
    ]
    model = regression(cal, "api00", ["ell", "meals"])
    for k in range(3):
        values += [(model.coef[k], r[f"{cid}_glm_{k + 1}", "coef"])]
        values += [(model.se[k], r[f"{cid}_glm_{k + 1}", "se"])]
    for i, (actual, expected) in enumerate(values):
        assert close(actual, expected), (cid, i, actual, expected)


def test_calibrated_totals_are_met_and_bounds_hold(designs):
    population = {"stype": POP_TYPES, "api99": 3914069}
    cal = calibrate(designs["clus1"], population, calfun="logit", bounds=(0.5, 2.5))
    assert total(cal, "api99").estimate == pytest.approx(3914069, rel=1e-7)
    assert cal.weights.sum() == pytest.approx(6194, rel=1e-7)
    g = cal.weights / designs["clus1"].weights
    assert g.min() >= 0.5 and g.max() <= 2.5
    assert cal.weighting_report.method == "calibrate (logit)"


def test_raking_on_categorical_margins_equals_rake(designs):
    margins = {"stype": POP_TYPES, "sch.wide": SCHWIDE}
    by_calibrate = calibrate(designs["clus1"], margins, calfun="raking", epsilon=1e-12)
    by_rake = rake(designs["clus1"], margins, tol=1e-12)
    assert by_calibrate.weights == pytest.approx(by_rake.weights, rel=1e-8)
    a, b = mean(by_calibrate, "api00"), mean(by_rake, "api00")
    assert a.se == pytest.approx(b.se, rel=1e-8)


def test_calibrate_bad_input_names_the_column(designs, dclus1):
    with pytest.raises(CalibrationError, match="'sname'"):
        calibrate(dclus1, {"sname": 100.0})
    with pytest.raises(CalibrationError, match="'acs.k3'"):
        calibrate(dclus1, {"stype": POP_TYPES, "acs.k3": 1000.0})
    with pytest.raises(CalibrationError, match="'stype'"):
        calibrate(dclus1, {"stype": {"E": 4421, "H": 755}})
    with pytest.raises(CalibrationError, match="sizes"):
        calibrate(dclus1, {"stype": POP_TYPES, "sch.wide": {"No": 1, "Yes": 2}})
    with pytest.raises(CalibrationError, match="bounds"):
        calibrate(dclus1, {"stype": POP_TYPES}, calfun="logit")
    with pytest.raises(CalibrationError, match="calfun"):
        calibrate(dclus1, {"stype": POP_TYPES}, calfun="cubic")
    with pytest.raises(CalibrationError, match="already calibrated"):
        calibrate(calibrate(dclus1, {"stype": POP_TYPES}), {"api99": 3914069}, size=6194)
    with pytest.raises(ConvergenceError):
        calibrate(dclus1, {"stype": POP_TYPES, "api99": 3914069}, bounds=(0.99, 1.01))
    assert np.isfinite(mean(dclus1, "api00").se)
