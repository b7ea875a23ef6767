"""Reliability flags: which estimates a report may cite (NCHS data presentation standards).

Every :class:`analysis.Estimate` has ``flags`` (a tuple of reasons, empty when
the estimate meets the standard) and ``reliable`` (no flags);
:func:`analysis.describe_items` has the same two columns.
"""

from __future__ import annotations

import numpy as np

from ._intervals import share_intervals

#: Reasons, in the order they are checked.
EMPTY = "no base"
SMALL_N_EFF = "effective n < 30"
FEW_DF = "df < 8"
WIDE_CI = "CI width >= 30 points"
WIDE_RELATIVE_CI = "relative CI width > 130%"
HIGH_RSE = "relative SE > 30%"
#: Every reason an estimate can carry, in the order they are checked.
FLAGS = (EMPTY, SMALL_N_EFF, FEW_DF, WIDE_CI, WIDE_RELATIVE_CI, HIGH_RSE)


def share_flags(p, se, n, df) -> list[tuple[str, ...]]:
    """Reliability flags of shares, following the NCHS standards for proportions.

    Parameters
    ----------
    p, se, n, df : array-like
        Shares, standard errors, unweighted bases and degrees of freedom.

    Returns
    -------
    list of tuple of str
        One tuple of reasons per share (empty: presentable).

    Notes
    -----
    Parker et al. (2017), the NCHS Data Presentation Standards for
    Proportions, on the 95% Korn-Graubard interval (``svyciprop(method="beta")``):

    1. effective sample size :math:`n/\\max(\\text{deff}, 1)`, i.e.
       :math:`\\min(n, \\hat p(1-\\hat p)/\\hat V)` (``n`` when the variance is
       zero), below 30: suppress (``"effective n < 30"``);
    2. absolute CI width of 0.30 or more: suppress (``"CI width >= 30 points"``);
    3. absolute width above 0.05 and relative width (width / :math:`\\hat p`)
       above 130%: suppress (``"relative CI width > 130%"``);
    4. fewer than 8 degrees of freedom: flag for statistical review
       (``"df < 8"``) -- here it is a flag like the others.

    A share without a base (empty domain) has the flag ``"no base"``.

    References
    ----------
    Parker, J. D., Talih, M., Malec, D. J., et al. (2017). National Center
    for Health Statistics data presentation standards for proportions.
    *Vital and Health Statistics*, 2(175). Hyattsville, MD: NCHS.
    """
    p = np.atleast_1d(np.asarray(p, dtype=np.float64))
    se = np.asarray(se, dtype=np.float64) * np.ones_like(p)
    n = np.asarray(n, dtype=np.float64) * np.ones_like(p)
    df = np.asarray(df, dtype=np.float64) * np.ones_like(p)
    empty = ~np.isfinite(p)
    low, high = share_intervals(p, se, df, n, method="korn-graubard")
    width = high - low
    pq = p * (1 - p)
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = np.where(se > 0, np.minimum(n, pq / se**2), n)
        relative = np.where(p > 0, width / p, np.inf)
    rules = (
        (empty, EMPTY),
        (~empty & (n_eff < 30), SMALL_N_EFF),
        (~empty & (df < 8), FEW_DF),
        (~empty & (width >= 0.30), WIDE_CI),
        (~empty & (width > 0.05) & (width < 0.30) & (relative > 1.30), WIDE_RELATIVE_CI),
    )
    return _collect(rules, p.size)


def estimate_flags(estimate, se, df, kind: str) -> list[tuple[str, ...]]:
    """Reliability flags of means, totals, ratios, scores and indices.

    Notes
    -----
    The comparable NCHS rule for statistics other than proportions: a relative
    standard error :math:`se/|\\hat\\theta|` above 30% marks an estimate as
    unreliable (Klein, Proctor, Boudreault & Turczyn 2002, Healthy People
    2010 criteria; NCHS, NHANES analytic guidelines), with the same df < 8
    review rule as for proportions.  A difference (kind ``"difference"``)
    may be near zero, so only the df rule applies to it.

    References
    ----------
    Klein, R. J., Proctor, S. E., Boudreault, M. A., & Turczyn, K. M. (2002).
    Healthy People 2010 criteria for data suppression. *Statistical Notes*, 24.
    Parker et al. (2017).
    """
    est = np.atleast_1d(np.asarray(estimate, dtype=np.float64))
    se = np.asarray(se, dtype=np.float64) * np.ones_like(est)
    df = np.asarray(df, dtype=np.float64) * np.ones_like(est)
    empty = ~np.isfinite(est)
    with np.errstate(divide="ignore", invalid="ignore"):
        rse = np.where(est != 0, se / np.abs(est), np.where(se > 0, np.inf, 0.0))
    rules = [(empty, EMPTY), (~empty & (df < 8), FEW_DF)]
    if kind != "difference":
        rules.append((~empty & (rse > 0.30), HIGH_RSE))
    return _collect(rules, est.size)


def _collect(rules, size) -> list[tuple[str, ...]]:
    out: list[list[str]] = [[] for _ in range(size)]
    for mask, reason in rules:
        for i in np.flatnonzero(mask):
            out[i].append(reason)
    return [tuple(x) for x in out]
