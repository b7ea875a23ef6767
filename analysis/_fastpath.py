"""Fast linearised variance for categorical statistics when each respondent is a PSU.

When the design has no clusters, every respondent is a PSU, so the
with-replacement variance needs only, per stratum :math:`h`, the sums
:math:`\\sum_i r_i` and :math:`\\sum_i r_i r_i^\\top` of the (calibrated)
influence values.  For a statistic of a categorical item the influence of
respondent :math:`i` is :math:`w_i a_{q_i}` where the *cell*
:math:`q_i = (h, d, k, c)` combines stratum, domain, calibration cell and
answer.  So four bincounts over :math:`q` (counts, :math:`\\sum w`,
:math:`\\sum w^2`, :math:`\\sum w^0`) are sufficient statistics for every
share, score and rate of the item, and the variance is small matrix algebra
on the cells:

.. math::

    \\hat V = \\sum_h (1-f_h)\\frac{n_h}{n_h-1}
      \\Big[\\sum_{q \\in h} S^{(2)}_q \\tilde a_q \\tilde a_q^\\top
      - \\frac{1}{n_h}\\Big(\\sum_{q\\in h} S^{(1)}_q \\tilde a_q\\Big)
        \\Big(\\sum_{q\\in h} S^{(1)}_q \\tilde a_q\\Big)^\\top\\Big],

with :math:`\\tilde a_q = a_q - x_{k(q)}^\\top \\hat B` the calibration
residual (:class:`analysis._calibration.CalibrationModel`).  It is the same
estimator as :mod:`analysis._variance`, computed without touching the rows
again; the tests check the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_MAX_CELLS = 4_000_000
_MAX_MATRIX = 30_000_000


@dataclass(frozen=True)
class Moments:
    """Cell sums of one categorical item; arrays of shape (H, D+1, K, C+1).

    Domain index ``D`` collects rows outside every domain; answer index 0
    collects missing answers.
    """

    count: np.ndarray
    s1: np.ndarray
    s2: np.ndarray
    s0: np.ndarray | None
    n_domains: int
    n_categories: int


def applicable(design) -> bool:
    """The fast path needs respondents as PSUs and no lonely (single-PSU) stratum."""
    if getattr(design.calibration, "row_level", False):  # calibrate() with numeric auxiliaries
        return False
    return design._row_of_psu is not None and bool(np.all(design.psus_per_stratum > 1))


def moments(
    design, codes: np.ndarray, n_categories: int, domain_codes: np.ndarray, n_domains: int
) -> Moments | None:
    """Cell sums for the item, or None when the fast path does not apply."""
    if not applicable(design):
        return None
    cal = design.calibration
    K = cal.n_cells if cal is not None else 1
    H = design.n_strata
    C1 = n_categories + 1
    D1 = n_domains + 1
    size = H * D1 * K * C1
    if size > _MAX_CELLS or size * n_domains * n_categories > _MAX_MATRIX:
        return None
    q = codes + 1
    if cal is not None:
        q = q + cal.cell * C1
    if n_domains > 1 or np.any(domain_codes < 0):
        q = q + np.where(domain_codes >= 0, domain_codes, n_domains) * (K * C1)
    if H > 1:
        q = q + design.stratum * (D1 * K * C1)
    w = design.weights
    shape = (H, D1, K, C1)
    count = np.bincount(q, minlength=size).reshape(shape)
    s1 = np.bincount(q, weights=w, minlength=size).reshape(shape)
    s2 = np.bincount(q, weights=_squared_weights(design), minlength=size).reshape(shape)
    s0 = None
    if cal is not None and cal.cell_g is not None:
        s0 = s1 / cal.cell_g[None, None, :, None]
    elif cal is not None:
        s0 = np.bincount(q, weights=cal.base_weights, minlength=size).reshape(shape)
    return Moments(count, s1, s2, s0, n_domains, n_categories)


def _squared_weights(design) -> np.ndarray:
    cached = design._moment_cache.get("__w2__")
    if cached is None:
        cached = design.weights * design.weights
        design._moment_cache["__w2__"] = cached
    return cached


def item_moments(design, item: str, factor, domain_codes, n_domains: int, by) -> Moments | None:
    """:func:`moments` of a named item, cached on the design (weights never change)."""
    key = (item, factor.levels, by)
    cache = design._moment_cache
    if key not in cache:
        cache[key] = moments(design, factor.codes, factor.n_levels, domain_codes, n_domains)
    return cache[key]


def variance(design, mom: Moments, A: np.ndarray, covariance: bool = False) -> np.ndarray:
    """Variance of statistics whose influence is ``w_i * A[q_i]``.

    Parameters
    ----------
    A : ndarray, shape (D+1, K or 1, C+1, m)
        Influence multiplier per (domain, calibration cell, answer); broadcast
        over strata.  A K-axis of length 1 means "the same in every cell".
    """
    H, D1, K, C1 = mom.s1.shape
    m = A.shape[-1]
    A = np.broadcast_to(A, (D1, K, C1, m))
    cal = design.calibration
    if cal is not None:
        s0 = mom.s0.sum(axis=0)  # (D1, K, C1)
        per_cell = np.einsum("dkc,dkcm->km", s0, A)
        fitted = cal.cell_design @ (cal.gram_pinv @ (cal.cell_design.T @ per_cell))  # (K, m)
        A = A - fitted[None, :, None, :]
    A2 = A.reshape(-1, m)
    s1 = mom.s1.reshape(H, -1)
    s2 = mom.s2.reshape(H, -1)
    totals = s1 @ A2  # (H, m)
    n_h = design.psus_per_stratum.astype(np.float64)
    scale = (1.0 - design.sampling_fraction) * n_h / (n_h - 1.0)
    if covariance:
        weighted = scale @ s2  # (Q,)
        out = (A2 * weighted[:, None]).T @ A2
        out -= (totals * (scale / n_h)[:, None]).T @ totals
        return out
    out = (scale @ s2) @ (A2 * A2)
    out -= (scale / n_h) @ (totals * totals)
    return np.maximum(out, 0.0)


def shares(design, mom: Moments, base: np.ndarray | None = None, covariance: bool = False) -> dict:
    """Shares of each (domain, category) among the ``base`` categories (default: all).

    Returns the same dict as :func:`analysis._estimators.share_arrays`.
    """
    D, C = mom.n_domains, mom.n_categories
    base = np.ones(C, dtype=bool) if base is None else np.asarray(base, dtype=bool)
    by_dc = mom.s1.sum(axis=(0, 2))[:D, 1:]  # (D, C)
    W = (by_dc * base).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(W[:, None] > 0, by_dc / W[:, None], np.nan) * base
    inv_w = np.where(W > 0, 1.0 / np.where(W > 0, W, 1.0), 0.0)
    # A[d', c', (d, c)] = 1[d'=d]/W_d * (1[c'=c+1] - 1[c'-1 in base] p_dc)
    A = np.zeros((D + 1, C + 1, D, C))
    eye_c = np.eye(C) * base
    pn = np.nan_to_num(p)
    for d in range(D):
        A[d, 1:, d, :] = (eye_c - base[:, None] * pn[d][None, :]) * inv_w[d]
    A = A.reshape(D + 1, 1, C + 1, D * C)
    v = variance(design, mom, A, covariance)
    var = np.diag(v) if covariance else v
    counts = mom.count.sum(axis=(0, 2))[:D, 1:]
    out = {
        "p": np.where(base, p, np.nan),
        "var": np.maximum(var.reshape(D, C), 0.0),
        "count": counts,
        "n": (counts * base).sum(axis=1),
    }
    if covariance:
        out["cov"] = v
    return out


def scored_means(design, mom: Moments, values: np.ndarray, base: np.ndarray) -> dict:
    """Weighted mean of per-category ``values`` over ``base`` categories, per domain.

    Returns ``est``, ``var``, ``n`` and ``s2`` (weighted variance of the
    values with the n/(n-1) correction), each of length D.
    """
    D, C = mom.n_domains, mom.n_categories
    values = np.where(base, np.nan_to_num(np.asarray(values, dtype=np.float64)), 0.0)
    by_dc = mom.s1.sum(axis=(0, 2))[:D, 1:] * base
    W = by_dc.sum(axis=1)
    safe_w = np.where(W > 0, W, 1.0)
    est = np.where(W > 0, (by_dc * values).sum(axis=1) / safe_w, np.nan)
    A = np.zeros((D + 1, C + 1, D))
    for d in range(D):
        A[d, 1:, d] = base * (values - np.nan_to_num(est[d])) / safe_w[d]
    var = variance(design, mom, A.reshape(D + 1, 1, C + 1, D))
    counts = mom.count.sum(axis=(0, 2))[:D, 1:]
    n = (counts * base).sum(axis=1).astype(np.float64)
    resid2 = (values[None, :] - np.nan_to_num(est)[:, None]) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        s2 = (by_dc * resid2).sum(axis=1) / safe_w * np.where(n > 1, n / (n - 1), np.nan)
    return {"est": est, "var": var, "n": n, "s2": s2}
