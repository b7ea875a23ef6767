"""Taylor-linearisation variance from PSU totals of influence values.

Implements the usual with-replacement (or fpc-corrected) PSU-within-stratum
formula, the lonely-PSU options, and the adjustment for calibration
(post-stratification, raking): influence values are replaced by their
residuals from the weighted regression on the calibration variables before
the PSU totals are formed (Deville & Sarndal 1992; Lumley 2010, ch. 7).
"""

from __future__ import annotations

import numpy as np

from ._scores import Scores


def psu_totals(design, scores: Scores) -> np.ndarray:
    """PSU totals of the (calibration-adjusted) weighted influence values.

    Returns
    -------
    ndarray, shape (design.n_psu, scores.n_columns)
    """
    return _stage_totals(design, scores)[0]


def _stage_totals(design, scores: Scores) -> list:
    """Unit totals at every stage: ``[PSU totals, stage-2 unit totals, ...]``."""
    if not design.stages:
        totals = scores.group_totals(design.psu, design.n_psu)
        if design.calibration is not None:
            totals -= design.calibration.fitted_psu_totals(design, scores)
        return [totals]
    last = design.stages[-1]
    totals = scores.group_totals(last.unit, last.n_units)
    if design.calibration is not None:
        totals -= design.calibration.fitted_group_totals(scores, last.unit, last.n_units)
    out = [totals]
    for stage in reversed(design.stages):
        parent = np.zeros((stage.n_parents, totals.shape[1]))
        np.add.at(parent, stage.parent, out[0])
        out.insert(0, parent)
    return out


def variance(design, scores: Scores, covariance: bool = False) -> np.ndarray:
    """Design-based variance (or covariance matrix) of linearised statistics.

    Parameters
    ----------
    design : Design
    scores : Scores
        Weighted influence values :math:`z_i = w_i u_i` of each statistic.
    covariance : bool
        Return the full ``(k, k)`` covariance matrix instead of the variances.

    Notes
    -----
    .. math::

        \\hat V = \\sum_h (1-f_h)\\frac{n_h}{n_h-1}\\sum_j
                  (z_{hj}-\\bar z_h)(z_{hj}-\\bar z_h)^\\top

    plus, in a multistage design with an fpc per stage, each later stage's
    within-unit term weighted by the earlier stages' sampling fractions (see
    :class:`Design`).  Lonely PSUs follow ``design.lonely_psu``.

    References
    ----------
    Binder (1983); Lumley (2010), sec. 2.2 and appendix C.
    """
    if getattr(design, "estimate_only", False):  # a replicate's re-run needs the estimate only
        k = scores.n_columns
        return np.zeros((k, k)) if covariance else np.zeros(k)
    if _rows_are_psus(design, scores):
        return _row_variance(design, scores, covariance)
    totals = _stage_totals(design, scores)
    result = variance_from_totals(design, totals[0], covariance)
    for stage, unit_totals in zip(design.stages, totals[1:]):
        result = result + _later_stage(design, stage, unit_totals, covariance)
    return result


def variance_from_totals(design, totals: np.ndarray, covariance: bool = False) -> np.ndarray:
    """Variance from PSU totals (first stage; see :func:`variance`)."""
    n_h = design.psus_per_stratum.astype(np.float64)
    f_h = design.sampling_fraction
    psu_stratum = design.psu_stratum
    sums = np.add.reduceat(totals, design._stratum_starts, axis=0)
    centre = sums / n_h[:, None]
    lonely = n_h == 1
    with np.errstate(divide="ignore", invalid="ignore"):
        scale_h = np.where(lonely, 0.0, (1.0 - f_h) * n_h / (n_h - 1.0))
    mode = design.lonely_psu
    if mode == "adjust" and lonely.any():
        # R's onestrat: the lonely PSU's total is not centred (centred at zero).
        centre = centre.copy()
        centre[lonely] = 0.0
        scale_h = np.where(lonely, 1.0 - f_h, scale_h)
    result = _centred_squares(totals - centre[psu_stratum], scale_h[psu_stratum], covariance)
    if mode == "average":
        # R's onestage: the strata sum times (all strata) / (strata that are not lonely),
        # where fully sampled strata count as not lonely.
        n_lonely = int(np.sum(lonely & (f_h < 1)))
        if 0 < n_lonely < design.n_strata:
            result = result * (design.n_strata / (design.n_strata - n_lonely))
    return result


def _later_stage(design, stage, totals: np.ndarray, covariance: bool) -> np.ndarray:
    """Variance contribution of a later stage: units centred within their parent unit."""
    m = stage.units_per_parent
    f = stage.fraction
    sums = np.zeros((stage.n_parents, totals.shape[1]))
    np.add.at(sums, stage.parent, totals)
    centre = sums / m[:, None]
    lonely = m == 1
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(lonely, 0.0, stage.multiplier * (1.0 - f) * m / (m - 1.0))
    if design.lonely_psu == "adjust" and lonely.any():
        centre[lonely] = 0.0
        scale = np.where(lonely, stage.multiplier * (1.0 - f), scale)
    scale = np.where(1.0 - f < 1e-7, 0.0, scale)  # a census at this stage adds nothing
    return _centred_squares(totals - centre[stage.parent], scale[stage.parent], covariance)


def _centred_squares(centred: np.ndarray, scale: np.ndarray, covariance: bool) -> np.ndarray:
    centred = centred * np.sqrt(scale)[:, None]
    if covariance:
        return centred.T @ centred
    return np.einsum("ij,ij->j", centred, centred)


def _rows_are_psus(design, scores: Scores) -> bool:
    """Each row is a PSU, no stratum is lonely, no calibration, and each row scores one column."""
    return (
        design._row_of_psu is not None
        and design.calibration is None
        and scores.offset_value is None
        and scores.dense is None
        and bool(np.all(design.psus_per_stratum > 1))
    )


def _row_variance(design, scores: Scores, covariance: bool) -> np.ndarray:
    """:func:`variance` when every row is a PSU and adds to one statistic only.

    The PSU totals are the rows themselves, so no totals are formed: the
    stratum sums :math:`s_{hc}` and the centred sums of squares come from
    bincounts over (stratum, statistic), with the rows that score nothing for
    statistic :math:`c` adding :math:`\\bar z_{hc}^2` each:

    .. math::

        \\hat V_c = \\sum_h (1-f_h)\\frac{n_h}{n_h-1}\\Big[\\sum_{i \\in h,\\,c_i=c}
            (z_i-\\bar z_{hc})^2 + (n_h - m_{hc})\\bar z_{hc}^2\\Big],
        \\quad \\bar z_{hc} = s_{hc}/n_h,

    and, since a row adds to one statistic, the covariance of two statistics is
    :math:`-\\sum_h (1-f_h)\\frac{n_h}{n_h-1} n_h \\bar z_{hc}\\bar z_{hd}`.
    The same estimator as the PSU-total route, in two passes over the rows.
    """
    k, H = scores.n_columns, design.n_strata
    value, column, stratum = scores.value, scores.column, design.stratum
    if column is None:
        column = np.zeros(1, dtype=np.int64) if k == 1 and H == 1 else np.zeros_like(stratum)
    else:
        valid = column >= 0
        if not valid.all():
            value, column, stratum = value[valid], column[valid], stratum[valid]
    n_h = design.psus_per_stratum.astype(np.float64)
    if H * k == 1:
        # one stratum, one statistic: two reductions, no temporary array
        total = value.sum()
        zbar = np.array([[total / n_h[0]]])
        ss = np.array([[np.einsum("i,i->", value, value) - total * zbar[0, 0]]])
    else:
        cell = column if H == 1 else stratum * k + column
        zbar = np.bincount(cell, weights=value, minlength=H * k).reshape(H, k) / n_h[:, None]
        dev = value - zbar.ravel()[cell]
        m = np.bincount(cell, minlength=H * k).reshape(H, k)
        ss = np.bincount(cell, weights=dev * dev, minlength=H * k).reshape(H, k)
        ss += (n_h[:, None] - m) * zbar**2
    scale = (1.0 - design.sampling_fraction) * n_h / (n_h - 1.0)
    var = scale @ ss
    if not covariance:
        return var
    cov = -(zbar * (scale * n_h)[:, None]).T @ zbar
    cov[np.diag_indices(k)] = var
    return cov
