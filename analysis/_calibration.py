"""Post-stratification, raking (iterative proportional fitting) and weight trimming.

Raking is done on the table of cells formed by the margin variables: every
respondent in a cell gets the same adjustment factor, so each iteration
works on a few hundred cell totals instead of a million rows.  The
calibrated design remembers the calibration variables, and its variance
uses the residuals of the influence values from the weighted regression on
them (Deville & Sarndal 1992), as R's ``survey`` package does for
``postStratify``, ``rake`` and ``calibrate``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ._errors import CalibrationError
from ._errors import ConvergenceError
from ._weighting_report import weighting_report

_MAX_CELLS = 2_000_000
_STRICT_ROUNDS = 2_000


class CalibrationModel:
    """Calibration variables of a calibrated design, for the variance adjustment.

    Notes
    -----
    With base weights :math:`w^0_i`, calibrated weights :math:`w_i = g_i w^0_i`
    and indicator matrix :math:`X` of the margin categories, the influence
    values :math:`z_i = w_i u_i` are replaced by
    :math:`w_i(u_i - x_i^\\top\\hat B)`, with
    :math:`\\hat B = (X^\\top W^0 X)^{-} X^\\top W^0 u`; this is the
    linearisation of the calibration (GREG) estimator used by
    ``calibrate``/``rake``/``postStratify`` in R's survey package.

    References
    ----------
    Deville, J.-C., & Sarndal, C.-E. (1992). Calibration estimators in survey
    sampling. *JASA*, 87, 376-382.  Lumley (2010), ch. 7.
    """

    def __init__(self, margins, base_weights, weights, design):
        self.margins = tuple(margins)
        self.base_weights = base_weights
        self.weights = weights
        with np.errstate(divide="ignore", invalid="ignore"):
            self.inv_g = np.where(weights > 0, base_weights / weights, 0.0)
        sizes = [n_levels for _, n_levels in self.margins]
        offsets = np.concatenate([[0], np.cumsum(sizes)])
        p = int(offsets[-1])
        self.cell, n_cells, cell_levels = cell_codes([c for c, _ in self.margins], sizes)
        design_matrix = np.zeros((n_cells, p))
        for m, levels in enumerate(cell_levels):
            design_matrix[np.arange(n_cells), offsets[m] + levels] = 1.0
        self.cell_design = design_matrix
        cell_base = np.bincount(self.cell, weights=base_weights, minlength=n_cells)
        gram = (design_matrix * cell_base[:, None]).T @ design_matrix
        self.gram_pinv = np.linalg.pinv(gram, hermitian=True)
        # Raking multiplies every weight of a cell by the same factor g_k; when that holds
        # the base-weight cell sums are the weight sums divided by g_k (saves a pass).
        cell_final = np.bincount(self.cell, weights=weights, minlength=n_cells)
        with np.errstate(divide="ignore", invalid="ignore"):
            g = np.where(cell_base > 0, cell_final / cell_base, 1.0)
        same = np.allclose(weights, base_weights * g[self.cell], rtol=1e-12, atol=0.0)
        self.cell_g = g if same and np.all(g > 0) else None
        self.n_cells = n_cells
        if design._row_of_psu is not None:
            order = design._row_of_psu
            self._psu_weight = weights[order]
            self._psu_cell = self.cell[order]
            self._psu_cell_matrix = None
        else:
            self._psu_weight = weights
            self._psu_cell = None
            if design.n_psu * n_cells <= 5_000_000:
                m = np.bincount(
                    design.psu * n_cells + self.cell,
                    weights=weights,
                    minlength=design.n_psu * n_cells,
                )
                self._psu_cell_matrix = m.reshape(design.n_psu, n_cells)
            else:
                self._psu_cell_matrix = None

    def _fitted_cells(self, scores) -> np.ndarray:
        """:math:`x_k^\\top \\hat B` per calibration cell and score column."""
        xtwu = np.vstack(
            [
                scores.group_totals(codes, n_levels, row_scale=self.inv_g)
                for codes, n_levels in self.margins
            ]
        )
        return self.cell_design @ (self.gram_pinv @ xtwu)

    def fitted_group_totals(self, scores, groups, n_groups) -> np.ndarray:
        """Totals of :math:`w_i x_i^\\top \\hat B` within any grouping of the rows."""
        fitted_cells = self._fitted_cells(scores)
        out = np.empty((n_groups, fitted_cells.shape[1]))
        for c in range(fitted_cells.shape[1]):
            rows = self.weights * fitted_cells[self.cell, c]
            out[:, c] = np.bincount(groups, weights=rows, minlength=n_groups)
        return out

    def fitted_psu_totals(self, design, scores) -> np.ndarray:
        """PSU totals of :math:`w_i x_i^\\top \\hat B` for each score column."""
        fitted_cells = self._fitted_cells(scores)
        if self._psu_cell is not None:
            return self._psu_weight[:, None] * fitted_cells[self._psu_cell]
        if self._psu_cell_matrix is not None:
            return self._psu_cell_matrix @ fitted_cells
        out = np.empty((design.n_psu, fitted_cells.shape[1]))
        for c in range(fitted_cells.shape[1]):
            rows = self._psu_weight * fitted_cells[self.cell, c]
            out[:, c] = np.bincount(design.psu, weights=rows, minlength=design.n_psu)
        return out


def cell_codes(codes_list, sizes):
    """Combine several factors into one cell code; return (cell, n_cells, levels per factor)."""
    total = int(np.prod(sizes, dtype=np.float64)) if sizes else 1
    if total <= _MAX_CELLS:
        cell = (
            np.ravel_multi_index(tuple(codes_list), tuple(sizes))
            if len(sizes) > 1
            else codes_list[0].astype(np.int64)
        )
        levels = np.unravel_index(np.arange(total), tuple(sizes))
        return np.asarray(cell, dtype=np.int64), total, [np.asarray(x) for x in levels]
    stacked = np.stack(codes_list, axis=1)
    uniq, inverse = np.unique(stacked, axis=0, return_inverse=True)
    return inverse.reshape(-1).astype(np.int64), len(uniq), [uniq[:, m] for m in range(len(sizes))]


def _aligned_targets(variable, levels, population) -> np.ndarray:
    if not isinstance(population, Mapping) and hasattr(population, "items"):
        population = dict(population.items())  # e.g. a pandas Series indexed by category
    if not isinstance(population, Mapping):
        raise CalibrationError(f"population for {variable!r} must be a mapping category -> count")
    lookup = {str(k): float(v) for k, v in population.items()}
    sample = {str(level) for level in levels}
    missing = [lv for lv in levels if str(lv) not in lookup]
    if missing:
        raise CalibrationError(
            f"{variable!r}: categories {missing} occur in the sample but have no population target"
        )
    empty = [k for k in population if str(k) not in sample]
    if empty:
        raise CalibrationError(f"{variable!r}: target categories {empty} have no respondents")
    targets = np.array([lookup[str(level)] for level in levels])
    if not np.all(np.isfinite(targets)) or np.any(targets < 0):
        raise CalibrationError(f"{variable!r}: targets must be finite and non-negative")
    return targets


def _prepare(design, margins):
    if not margins:
        raise CalibrationError("no margins given")
    factors, targets = [], []
    for variable, population in margins.items():
        f = design.factor(variable)
        if np.any(f.codes < 0):
            raise CalibrationError(
                f"{variable!r} is missing for {int(np.sum(f.codes < 0))} "
                "respondents; impute or drop them before weighting"
            )
        factors.append(f)
        targets.append(_aligned_targets(variable, f.levels, population))
    sums = np.array([t.sum() for t in targets])
    if np.any(np.abs(sums - sums[0]) > 1e-6 * max(abs(sums[0]), 1.0)):
        detail = {v: float(s) for v, s in zip(margins, sums)}
        raise CalibrationError(f"margin targets do not sum to the same total: {detail}")
    return factors, targets


def _ipf(cell_weights, cell_levels, targets, tol, max_iter):
    """Iterative proportional fitting on cell totals; returns (factors, iterations, error)."""
    w = cell_weights.copy()
    for m, (levels, target) in enumerate(zip(cell_levels, targets)):
        sums = np.bincount(levels, weights=w, minlength=target.size)
        empty = (sums <= 0) & (target > 0)
        if np.any(empty):
            raise CalibrationError(
                f"margin {m}: categories {np.flatnonzero(empty).tolist()} have no weight to adjust"
            )
    error = np.inf
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007  (read after the loop)
        for levels, target in zip(cell_levels, targets):
            sums = np.bincount(levels, weights=w, minlength=target.size)
            with np.errstate(divide="ignore", invalid="ignore"):
                adjust = np.where(sums > 0, target / sums, 1.0)
            w *= adjust[levels]
        error = _margin_error(w, cell_levels, targets)
        if error <= tol:
            break
    with np.errstate(divide="ignore", invalid="ignore"):
        factors = np.where(cell_weights > 0, w / cell_weights, 1.0)
    return factors, iterations, error


def _margin_error(w, cell_levels, targets) -> float:
    worst = 0.0
    for levels, target in zip(cell_levels, targets):
        sums = np.bincount(levels, weights=w, minlength=target.size)
        scale = np.where(target > 0, target, 1.0)
        worst = max(worst, float(np.max(np.abs(sums - target) / scale)))
    return worst


def _calibrate(design, margins, tol, max_iter, bounds, max_trim_iter, method):
    factors, targets = _prepare(design, margins)
    sizes = [f.n_levels for f in factors]
    cell, n_cells, cell_levels = cell_codes([f.codes for f in factors], sizes)
    w = np.array(design.weights, dtype=np.float64)
    cell_w = np.bincount(cell, weights=w, minlength=n_cells)
    adjust, iterations, error = _ipf(cell_w, cell_levels, targets, tol, max_iter)
    w *= adjust[cell]
    trimmed = 0
    if bounds is not None:
        lower, upper = bounds
        lower = -np.inf if lower is None else float(lower)
        upper = np.inf if upper is None else float(upper)
        if lower > upper:
            raise CalibrationError("trimming bounds: lower is above upper")
        for _ in range(max_trim_iter):
            outside = (w < lower * (1 - 1e-9)) | (w > upper * (1 + 1e-9))
            if error <= tol and not outside.any():
                break
            trimmed = int(outside.sum())
            w = np.clip(w, lower, upper)
            cell_w = np.bincount(cell, weights=w, minlength=n_cells)
            adjust, iterations, error = _ipf(cell_w, cell_levels, targets, tol, max_iter)
            w *= adjust[cell]
        else:
            outside = (w < lower * (1 - 1e-6)) | (w > upper * (1 + 1e-6))
            if outside.any():
                raise ConvergenceError(
                    f"trimming to [{lower}, {upper}] and re-raking did not meet "
                    f"both the bounds and the margins in {max_trim_iter} rounds"
                )
    if error > tol:
        raise ConvergenceError(
            f"raking did not converge in {max_iter} iterations "
            f"(largest relative margin error {error:.3g} > tol {tol:g})"
        )
    achieved = {}
    target_dict = {}
    for (variable, _), f, target in zip(margins.items(), factors, targets):
        sums = np.bincount(f.codes, weights=w, minlength=f.n_levels)
        achieved[variable] = {lv: float(s) for lv, s in zip(f.levels, sums)}
        target_dict[variable] = {lv: float(t) for lv, t in zip(f.levels, target)}
    report = weighting_report(w, method, iterations, True, error, target_dict, achieved, trimmed)
    new_margins = [(f.codes, f.n_levels) for f in factors]
    if design.calibration is not None:
        new_margins = list(design.calibration.margins) + new_margins
    model = CalibrationModel(new_margins, design.base_weights, w, design)
    return design.with_weights(w, calibration=model, report=report)


def rake(
    design,
    margins: Mapping,
    tol: float = 1e-7,
    max_iter: int = 100,
    bounds=None,
    max_trim_iter: int = 50,
):
    """Rake the weights to population margins (iterative proportional fitting).

    Parameters
    ----------
    design : Design
    margins : mapping
        ``{variable: {category: population count}}``; every margin must sum to
        the same total.
    tol : float
        Convergence: the largest relative difference between an achieved
        weighted margin and its target must be at most ``tol``.
    max_iter : int
        Cap on raking sweeps; reaching it raises :class:`ConvergenceError`.
    bounds : (lower, upper), optional
        Trim weights to these absolute bounds and re-rake, repeatedly, until
        the weights are within bounds and the margins are met.
    max_trim_iter : int
        Cap on trim / re-rake rounds.

    Returns
    -------
    Design
        A new design with calibrated weights, ``.weighting_report`` and the
        calibration recorded for the variance.

    Raises
    ------
    CalibrationError
        A category with no respondents, a sample category without target,
        a margin variable with missing values, or targets that do not sum
        consistently.
    ConvergenceError
        No convergence within ``max_iter`` (or trimming rounds).

    Notes
    -----
    Each sweep multiplies the weights of the respondents in category
    :math:`c` of margin :math:`m` by :math:`T_{mc}/\\hat T_{mc}`.  The
    variance then uses residuals from the calibration model (see
    :class:`CalibrationModel`), as ``rake`` in R's survey package.

    References
    ----------
    Deming, W. E., & Stephan, F. F. (1940). *Ann. Math. Statist.*, 11, 427-444.
    Deville & Sarndal (1992); Lumley (2010), sec. 7.3.
    """
    return _calibrate(
        design,
        dict(margins),
        tol,
        max_iter,
        bounds,
        max_trim_iter,
        "rake" if bounds is None else "trim",
    )


def poststratify(design, variable: str, population: Mapping):
    """Post-stratify: scale the weights so each category's weighted count hits its population count.

    Parameters
    ----------
    design : Design
    variable : str
        Post-stratification variable (no missing values allowed).
    population : mapping
        ``{category: population count}``; every sampled category needs a
        target and every target category needs respondents.

    Returns
    -------
    Design
        New design; weights :math:`w_i N_g/\\hat N_g` for respondents in
        post-stratum :math:`g`.

    Notes
    -----
    Variance: influence values are centred within post-strata,
    :math:`z_i - w_i \\bar u_g` (Lumley 2010, sec. 7.2), as ``postStratify``.

    References
    ----------
    Holt, D., & Smith, T. M. F. (1979). Post stratification. *JRSS A*, 142, 33-46.
    Lumley (2010), ch. 7.
    """
    return _calibrate(design, {variable: population}, 1e-9, 5, None, 0, "poststratify")


def trim_weights(
    design,
    lower=None,
    upper=None,
    margins: Mapping | None = None,
    tol: float = 1e-7,
    max_iter: int = 100,
    max_trim_iter: int = 50,
    strict: bool = False,
):
    """Trim weights to ``[lower, upper]``, as R's ``trimWeights``, or trim and re-rake to ``margins``.

    Parameters
    ----------
    design : Design
    lower, upper : float, optional
        Absolute weight bounds.
    margins : mapping, optional
        Raking targets as for :func:`rake`: then each round trims and re-rakes
        until the weights are within bounds and the margins are met (see
        ``rake(..., bounds=)``).
    tol, max_iter
        As for :func:`rake`.
    max_trim_iter : int
        Cap on trim / re-rake rounds with ``margins``.  ``strict`` trimming
        (geometric convergence, stopped exactly as R when no weight is
        outside) is capped at 2,000 rounds.
    strict : bool
        Without margins: repeat the trimming until no weight is outside the
        bounds (R's ``strict=TRUE``); otherwise one round, after which the
        weights that received the trimmed amount may lie outside.

    Returns
    -------
    Design
        Without margins the design keeps its calibration record (if any) and
        the variance treats the trimmed weights as the design's weights, as R.

    Raises
    ------
    ConvergenceError
        ``strict`` trimming still leaves weights outside the bounds after
        2,000 rounds (e.g. bounds whose mean cannot hold the total).

    Notes
    -----
    Without margins (R's ``trimWeights``): weights outside the bounds are set
    to the bound, and the amount removed (minus the amount added) is spread
    equally over the weights that were inside,
    :math:`w_i \\leftarrow w_i + \\sum_j (w_j - \\tilde w_j)/\\#\\{\\text{inside}\\}`,
    so the total weight is kept.

    References
    ----------
    Potter, F. J. (1990). A study of procedures to identify and trim extreme
    sampling weights. *Proc. Survey Research Methods Section, ASA*, 225-230.
    Lumley, T. survey: ``trimWeights`` (R package, version 4.1).
    """
    if margins is not None:
        return rake(
            design,
            margins,
            tol=tol,
            max_iter=max_iter,
            bounds=(lower, upper),
            max_trim_iter=max_trim_iter,
        )
    lo = -np.inf if lower is None else float(lower)
    hi = np.inf if upper is None else float(upper)
    if lo > hi:
        raise CalibrationError("trimming bounds: lower is above upper")
    w = np.array(design.weights, dtype=np.float64)
    trimmed = 0
    rounds = _STRICT_ROUNDS if strict else 1
    for _ in range(rounds):
        outside = (w < lo) | (w > hi)
        if not outside.any():
            break
        trimmed = max(trimmed, int(outside.sum()))
        clipped = np.clip(w, lo, hi)
        if outside.all():
            raise CalibrationError(f"every weight is outside the trimming bounds [{lo}, {hi}]")
        clipped[~outside] += (w - clipped).sum() / (~outside).sum()
        w = clipped
    else:
        if strict and np.any((w < lo) | (w > hi)):
            raise ConvergenceError(
                f"strict trimming to [{lo}, {hi}] left weights outside after {rounds} rounds"
            )
    report = weighting_report(w, "trim", 0, True, 0.0, {}, {}, trimmed)
    return design.with_weights(w, calibration=design.calibration, report=report)
