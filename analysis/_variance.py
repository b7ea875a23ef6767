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
    totals = scores.group_totals(design.psu, design.n_psu)
    if design.calibration is not None:
        totals -= design.calibration.fitted_psu_totals(design, scores)
    return totals


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

    Lonely PSUs follow ``design.lonely_psu`` (see :class:`Design`).

    References
    ----------
    Binder (1983); Lumley (2010), sec. 2.2 and appendix C.
    """
    if getattr(design, "estimate_only", False):  # a replicate's re-run needs the estimate only
        k = scores.n_columns
        return np.zeros((k, k)) if covariance else np.zeros(k)
    return variance_from_totals(design, psu_totals(design, scores), covariance)


def variance_from_totals(design, totals: np.ndarray, covariance: bool = False) -> np.ndarray:
    """Variance from PSU totals (see :func:`variance`)."""
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
        grand = totals.mean(axis=0)
        centre = centre.copy()
        centre[lonely] = grand
        scale_h = np.where(lonely, 1.0 - f_h, scale_h)
    centred = totals - centre[psu_stratum]
    scale = np.sqrt(scale_h)[psu_stratum]
    centred *= scale[:, None]
    if covariance:
        result = centred.T @ centred
    else:
        result = np.einsum("ij,ij->j", centred, centred)
    if mode == "average" and lonely.any():
        n_lonely = int(np.sum(lonely & (f_h < 1)))
        n_other = int(np.sum(~lonely))
        if n_other > 0:
            result = result * (1.0 + n_lonely / n_other)
    return result
