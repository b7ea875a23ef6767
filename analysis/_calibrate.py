"""Generalised calibration (GREG, raking, logit) to population totals, as R's ``calibrate``."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ._calibration import CalibrationModel
from ._calibration import _aligned_targets
from ._data import column
from ._errors import CalibrationError
from ._errors import ConvergenceError
from ._model_rows import factor_cells
from ._regression import model_matrix
from ._weighting_report import weighting_report

CALFUNS = ("linear", "raking", "logit")


class GregCalibration:
    """Auxiliary model matrix of a calibrated design, for the calibration-aware variance.

    Notes
    -----
    With base weights :math:`w^0_i`, calibrated weights :math:`w_i = g_i w^0_i`
    and auxiliary rows :math:`x_i`, an influence value :math:`z_i = w_i u_i`
    is replaced by :math:`w_i(u_i - x_i^\\top\\hat B)`,
    :math:`\\hat B = (X^\\top W^0 X)^{-}\\sum_i x_i z_i/g_i` -- R's
    ``svyrecvar`` on a ``greg_calibration`` (``qr.resid`` of
    :math:`z/(g\\sqrt{w^0})` on :math:`X\\sqrt{w^0}`, times
    :math:`g\\sqrt{w^0}`).  Row-level (numeric auxiliaries), so the
    cell-based fast path is not used (``row_level``).
    """

    row_level = True

    def __init__(self, X, base_weights, weights, design):
        self.X = X
        with np.errstate(divide="ignore", invalid="ignore"):
            self.inv_g = np.where(weights > 0, base_weights / weights, 0.0)
        self.gram_pinv = np.linalg.pinv((X * base_weights[:, None]).T @ X, hermitian=True)
        self.psu_x = np.column_stack(
            [
                np.bincount(design.psu, weights=weights * X[:, j], minlength=design.n_psu)
                for j in range(X.shape[1])
            ]
        )

    def fitted_psu_totals(self, design, scores) -> np.ndarray:
        """PSU totals of :math:`w_i x_i^\\top \\hat B` for each score column."""
        zeros = np.zeros(design.n, dtype=np.int64)
        xtz = np.vstack(
            [
                scores.group_totals(zeros, 1, row_scale=self.inv_g * self.X[:, j])
                for j in range(self.X.shape[1])
            ]
        )
        return self.psu_x @ (self.gram_pinv @ xtz)


def _distance(calfun, bounds):
    """R's ``cal.linear``, ``cal.raking`` and ``cal.logit``: (F^{-1}(u) - 1, its derivative)."""
    lower, upper = bounds
    if calfun == "linear":

        def fm1(u):
            return np.minimum(np.maximum(u + 1, lower), upper) - 1

        def df(u):
            return ((u < upper - 1) & (u > lower - 1)).astype(np.float64)

    elif calfun == "raking":

        def fm1(u):
            return np.minimum(np.maximum(np.exp(u), lower), upper) - 1

        def df(u):
            return np.where((u < upper - 1) & (u > lower - 1), np.exp(u), 0.0)

    else:
        if not (np.isfinite(lower) and np.isfinite(upper)) or not lower < 1 < upper:
            raise CalibrationError("logit calibration needs finite bounds with lower < 1 < upper")
        a = (upper - lower) / ((upper - 1) * (1 - lower))

        def fm1(u):
            e = np.exp(a * u)
            return (lower * (upper - 1) + upper * (1 - lower) * e) / (
                upper - 1 + (1 - lower) * e
            ) - 1

        def df(u):
            e = np.exp(a * u)
            d = upper - 1 + (1 - lower) * e
            num = lower * (upper - 1) + upper * (1 - lower) * e
            return upper * (1 - lower) * e * a / d - num * ((1 - lower) * e * a) / d**2

    return fm1, df


def _grake(X, w, population, calfun, bounds, epsilon, max_iter):
    """Newton iterations of R's ``grake``; returns (g, iterations, largest relative misfit)."""
    fm1, df = _distance(calfun, bounds)
    sample_total = X.T @ w
    scales = population / np.where(sample_total != 0, sample_total, np.nan)
    scale = None
    if np.nanmin(scales) > 20:  # R rescales the weights first (bounds then act on the rescaled g)
        scale = float(np.nanmean(scales))
        w = w * scale
        sample_total = sample_total * scale
    eta = np.zeros(X.shape[1])
    xeta = X @ eta
    deriv = df(xeta)
    iterations = 1
    while True:
        tmat = (X * (w * deriv)[:, None]).T @ X
        misfit = population - sample_total - X.T @ (w * fm1(xeta))
        step = np.linalg.pinv(tmat, rcond=256 * np.finfo(float).eps) @ misfit
        eta = eta + step
        xeta = X @ eta
        g = 1 + fm1(xeta)
        deriv = df(xeta)
        while iterations < max_iter and not (np.isfinite(g).all() and np.isfinite(deriv).all()):
            iterations += 1
            step = step / 2
            eta = eta - step
            xeta = X @ eta
            g = 1 + fm1(xeta)
            deriv = df(xeta)
        misfit = population - sample_total - X.T @ (w * fm1(xeta))
        error = float(np.max(np.abs(misfit) / (1 + np.abs(population))))
        if error < epsilon:
            break
        iterations += 1
        if iterations > max_iter:
            raise ConvergenceError(
                f"calibration ({calfun}) did not converge in {max_iter} iterations "
                f"(largest relative misfit {error:.3g}); widen the bounds or check the totals"
            )
    if scale is not None:
        g = g * scale
    return g, iterations, error


def _totals(design, population, size):
    """Predictors, factor flags and the population totals in model-matrix order."""
    if not isinstance(population, Mapping) or not population:
        raise CalibrationError("population must be a non-empty mapping variable -> totals")
    predictors, factors, categorical = [], {}, {}
    for name, target in population.items():
        raw = column(design.data, name)
        predictors.append(name)
        if isinstance(target, Mapping) or isinstance(target, pd.Series):
            factors[name] = None
            f = design.factor(name)
            if np.any(f.codes < 0):
                raise CalibrationError(f"{name!r} is missing for some respondents")
            categorical[name] = dict(zip(f.levels, _aligned_targets(name, f.levels, target)))
        else:
            if not pd.api.types.is_numeric_dtype(raw):
                raise CalibrationError(f"{name!r} is not numeric; give its category counts")
            if np.isnan(design.numeric(name)).any():
                raise CalibrationError(f"{name!r} is missing for some respondents")
            if not np.isfinite(float(target)):
                raise CalibrationError(f"the population total of {name!r} is not finite")
    sizes = {name: sum(t.values()) for name, t in categorical.items()}
    if size is not None:
        sizes["size"] = float(size)
    values = list(sizes.values())
    if values and np.any(np.abs(np.array(values) - values[0]) > 1e-6 * max(abs(values[0]), 1)):
        raise CalibrationError(f"population sizes implied by the totals differ: {sizes}")
    return predictors, factors, categorical, (values[0] if values else None)


def calibrate(
    design,
    population: Mapping,
    calfun: str = "linear",
    bounds=(-np.inf, np.inf),
    size: float | None = None,
    epsilon: float = 1e-7,
    max_iter: int = 50,
):
    """Calibrate the weights to population totals (R's ``calibrate``).

    Parameters
    ----------
    design : Design
        An uncalibrated design (put every auxiliary in one call).
    population : mapping
        ``{column: {category: count}}`` for a categorical auxiliary and
        ``{column: total}`` for a numeric one, e.g.
        ``{"stype": {"E": 4421, "H": 755, "M": 1018}, "api99": 3914069}``.
    calfun : {"linear", "raking", "logit"}
        Distance function: linear (GREG), raking (exponential) or logit
        (bounded, needs finite ``bounds``).
    bounds : (float, float)
        Bounds on the weight ratios :math:`g_i = w_i/w^0_i` (R's ``bounds``).
    size : float, optional
        Population size; needed (as the intercept total) when every auxiliary
        is numeric, otherwise it is checked against the categorical totals.
    epsilon, max_iter : float, int
        Convergence: largest :math:`|misfit|/(1+|total|)` below ``epsilon``
        (R's defaults).

    Returns
    -------
    Design
        With calibrated weights, ``weighting_report`` and the calibration
        model whose residuals every estimator's variance then uses.

    Notes
    -----
    As ``calibrate(design, ~x1 + x2, population, calfun=, bounds=)`` with the
    model matrix :math:`X` of R's formula (intercept, treatment-contrast
    dummies of each categorical auxiliary, numeric auxiliaries): find
    :math:`\\lambda` with :math:`\\sum_i w^0_i F(x_i^\\top\\lambda) x_i = T_x`
    by Newton's method (R's ``grake``), :math:`g_i = F(x_i^\\top\\lambda)`;
    linear :math:`F(u) = 1+u`, raking :math:`F(u) = e^u`, logit
    :math:`F(u) = \\frac{L(U-1) + U(1-L)e^{Au}}{U-1+(1-L)e^{Au}}`,
    :math:`A = \\frac{U-L}{(U-1)(1-L)}`; bounds truncate :math:`F`
    (Deville & Särndal 1992).  Variance: see :class:`GregCalibration`.
    ``rake`` and ``poststratify`` are the special cases for categorical
    margins and stay available.

    References
    ----------
    Deville, J.-C., & Särndal, C.-E. (1992). Calibration estimators in survey
    sampling. *JASA*, 87, 376-382.  Deville, J.-C., Särndal, C.-E., & Sautory,
    O. (1993). Generalized raking procedures in survey sampling. *JASA*, 88,
    1013-1020.  Lumley (2010), ch. 7.
    """
    if calfun not in CALFUNS:
        raise CalibrationError(f"calfun must be one of {CALFUNS}, got {calfun!r}")
    if design.is_calibrated:
        raise CalibrationError("the design is already calibrated; give every total in one call")
    lower, upper = (float(b) for b in bounds)
    if not lower < upper:
        raise CalibrationError("calibration bounds: lower must be below upper")
    predictors, factors, categorical, n_pop = _totals(design, population, size)
    w0 = np.asarray(design.weights, dtype=np.float64)
    cells = (
        factor_cells(design, predictors, factors) if len(categorical) == len(predictors) else None
    )
    if cells is None:  # a numeric auxiliary: every row is its own cell
        X, terms, _, reference = model_matrix(design, predictors, factors)
        cell_weights = w0
    else:  # every row of a cell has the same x_i (and g_i): solve on the cells
        row_cell, first_rows = cells
        X, terms, _, reference = model_matrix(design, predictors, factors, rows=first_rows)
        cell_weights = np.bincount(row_cell, weights=w0, minlength=len(first_rows))
    if n_pop is None:
        X, terms = X[:, 1:], terms[1:]
    targets = [] if n_pop is None else [n_pop]
    for name in predictors:
        if name in categorical:
            targets += [v for k, v in categorical[name].items() if k != reference[name]]
        else:
            targets.append(float(population[name]))
    target = np.asarray(targets, dtype=np.float64)
    g, iterations, error = _grake(
        X, cell_weights, target, calfun, (lower, upper), epsilon, max_iter
    )
    achieved = dict(zip(terms, (X.T @ (cell_weights * g)).tolist()))
    w = w0 * (g if cells is None else g[cells[0]])
    report = weighting_report(
        w,
        f"calibrate ({calfun})",
        iterations,
        True,
        error,
        {"totals": dict(zip(terms, target.tolist()))},
        {"totals": achieved},
    )
    if cells is None:
        calibration = GregCalibration(X, w0, w, design)
    else:  # the margins' indicators span the model matrix's columns: same residuals
        margins = [(design.factor(name).codes, design.factor(name).n_levels) for name in predictors]
        calibration = CalibrationModel(margins, w0, w, design)
    return design.with_weights(w, calibration=calibration, report=report)
