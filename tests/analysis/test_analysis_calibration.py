"""Post-stratification, raking, trimming and the weighting report."""

import numpy as np
import pandas as pd
import pytest

from analysis import CalibrationError
from analysis import ConvergenceError
from analysis import Design
from analysis import describe_items
from analysis import mean
from analysis import poststratify
from analysis import proportion
from analysis import rake
from analysis import total
from analysis import trim_weights

POP_STYPE = {"E": 4421, "H": 755, "M": 1018}
POP_SCHWIDE = {"No": 1072, "Yes": 5122}


def test_poststratify_hits_population_counts(dclus1):
    d = poststratify(dclus1, "stype", POP_STYPE)
    shares = total(d, "pw")  # any variable; check weights directly below
    assert shares.estimate > 0
    w = np.asarray(d.weights)
    codes = d.factor("stype")
    for i, level in enumerate(codes.levels):
        assert w[codes.codes == i].sum() == pytest.approx(POP_STYPE[level])
    report = d.weighting_report
    assert report.method == "poststratify" and report.converged
    assert report.achieved["stype"]["E"] == pytest.approx(4421)


def test_poststratified_share_of_the_poststratum_has_zero_variance(dclus1):
    d = poststratify(dclus1, "stype", POP_STYPE)
    shares = proportion(d, "stype")
    assert shares["E"].estimate == pytest.approx(4421 / 6194)
    assert shares["E"].se == pytest.approx(0.0, abs=1e-12)


def test_raking_variance_accounts_for_calibration(dclus1):
    raked = rake(dclus1, {"stype": POP_STYPE, "sch.wide": POP_SCHWIDE})
    naive = Design(
        dclus1.data.assign(w=np.asarray(raked.weights)), weights="w", clusters="dnum", fpc="fpc"
    )
    # same point estimate, much smaller SE for a total once calibration is used
    assert total(raked, "enroll").estimate == pytest.approx(total(naive, "enroll").estimate)
    assert total(raked, "enroll").se < 0.6 * total(naive, "enroll").se
    # calibrated margins have (numerically) zero variance
    assert proportion(raked, "sch.wide")["Yes"].se == pytest.approx(0.0, abs=1e-10)


def test_weighting_report_fields(dclus1):
    raked = rake(dclus1, {"stype": POP_STYPE, "sch.wide": POP_SCHWIDE})
    r = raked.weighting_report
    w = np.asarray(raked.weights)
    assert r.iterations >= 2 and r.converged and r.max_margin_error <= 1e-7
    assert r.min_weight == pytest.approx(w.min()) and r.max_weight == pytest.approx(w.max())
    assert r.weight_ratio == pytest.approx(w.max() / w.min())
    assert r.kish_deff == pytest.approx(len(w) * np.sum(w**2) / np.sum(w) ** 2)
    assert r.n_eff == pytest.approx(len(w) / r.kish_deff)
    assert set(r.to_dict()) >= {"iterations", "achieved", "targets", "kish_deff", "n_eff"}


def test_empty_category_raises(dclus1):
    with pytest.raises(CalibrationError, match="no respondents"):
        poststratify(dclus1, "stype", {**POP_STYPE, "K": 10})


def test_sample_category_without_target_raises(dclus1):
    with pytest.raises(CalibrationError, match="no population target"):
        poststratify(dclus1, "stype", {"E": 4421, "H": 755})


def test_inconsistent_totals_raise(dclus1):
    with pytest.raises(CalibrationError, match="same total"):
        rake(dclus1, {"stype": POP_STYPE, "sch.wide": {"No": 1072, "Yes": 9999}})


def test_missing_margin_variable_raises(apiclus1):
    frame = apiclus1.assign(stype=apiclus1["stype"].where(apiclus1.index > 0))
    d = Design(frame, weights="pw", clusters="dnum", fpc="fpc")
    with pytest.raises(CalibrationError, match="missing"):
        rake(d, {"stype": POP_STYPE})


def test_non_convergence_raises():
    # margins that cannot both be met: only (a, x) and (b, y) cells are observed
    frame = pd.DataFrame({"u": ["a", "a", "b", "b"], "v": ["x", "x", "y", "y"]})
    d = Design(frame)
    with pytest.raises(ConvergenceError, match="did not converge"):
        rake(d, {"u": {"a": 10, "b": 90}, "v": {"x": 50, "y": 50}}, max_iter=20)


def test_trimming_respects_bounds_and_margins(dclus1):
    raked = rake(dclus1, {"stype": POP_STYPE, "sch.wide": POP_SCHWIDE})
    lo, hi = 25.0, 55.0  # H schools need a mean weight of 755/14 = 53.9
    assert raked.weighting_report.max_weight > hi
    trimmed = trim_weights(
        dclus1, lower=lo, upper=hi, margins={"stype": POP_STYPE, "sch.wide": POP_SCHWIDE}
    )
    w = np.asarray(trimmed.weights)
    assert w.max() <= hi * (1 + 1e-6) and w.min() >= lo * (1 - 1e-6)
    f = trimmed.factor("sch.wide")
    assert w[f.codes == f.levels.index("Yes")].sum() == pytest.approx(5122, rel=1e-6)
    assert trimmed.weighting_report.trimmed > 0


def test_impossible_trimming_raises(dclus1):
    with pytest.raises(ConvergenceError):
        trim_weights(
            dclus1,
            lower=1.0,
            upper=2.0,
            margins={"stype": POP_STYPE, "sch.wide": POP_SCHWIDE},
            max_trim_iter=5,
        )


def test_trim_without_margins_keeps_total(dclus1):
    raked = rake(dclus1, {"stype": POP_STYPE, "sch.wide": POP_SCHWIDE})
    trimmed = trim_weights(raked, upper=45.0)
    assert np.sum(trimmed.weights) == pytest.approx(np.sum(raked.weights))
    assert trimmed.weighting_report.trimmed > 0


def test_calibrated_fast_path_equals_generic_path(dclus1, apistrat):
    from analysis._estimators import _generic_share_arrays
    from analysis._estimators import share_arrays

    d = Design(apistrat, weights="pw", strata="stype", fpc="fpc")
    raked = rake(d, {"sch.wide": POP_SCHWIDE, "awards": {"No": 2000, "Yes": 4194}})
    f = raked.factor("yr.rnd")
    dom = raked.factor("comp.imp")
    fast = share_arrays(raked, f.codes, f.n_levels, dom.codes, dom.n_levels, covariance=True)
    slow = _generic_share_arrays(raked, f.codes, f.n_levels, dom.codes, dom.n_levels, True)
    np.testing.assert_allclose(fast["var"], slow["var"], rtol=1e-10)
    np.testing.assert_allclose(fast["cov"], slow["cov"], rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(fast["p"], slow["p"], rtol=1e-12)


def test_rake_then_domain_means(dclus1):
    raked = rake(dclus1, {"stype": POP_STYPE, "sch.wide": POP_SCHWIDE})
    by = mean(raked, "api00", by="stype")
    assert len(by) == 3 and all(e.se > 0 for e in by)
    table = describe_items(raked, ["awards"], by="stype")
    assert len(table) == 6


@pytest.mark.parametrize("trim", [False, True])
def test_fast_path_with_unequal_adjustment_within_cells(apistrat, trim):
    from analysis._estimators import _generic_share_arrays
    from analysis._estimators import share_arrays

    d = Design(apistrat, weights="pw", strata="stype", fpc="fpc")
    margins = {"sch.wide": POP_SCHWIDE, "awards": {"No": 2000, "Yes": 4194}}
    cal = trim_weights(d, lower=10, upper=40, margins=margins) if trim else rake(d, margins)
    assert (cal.calibration.cell_g is None) == trim  # trimming breaks per-cell factors
    f = cal.factor("comp.imp")
    zeros = np.zeros(cal.n, dtype=np.int64)
    fast = share_arrays(cal, f.codes, f.n_levels, zeros, 1)
    slow = _generic_share_arrays(cal, f.codes, f.n_levels, zeros, 1, False)
    np.testing.assert_allclose(fast["var"], slow["var"], rtol=1e-9)


def test_population_as_series_and_bad_type(dclus1):
    d = poststratify(dclus1, "stype", pd.Series(POP_STYPE))
    assert np.sum(d.weights) == pytest.approx(6194)
    with pytest.raises(CalibrationError, match="mapping"):
        poststratify(dclus1, "stype", [4421, 755, 1018])
