"""Estimated population counts per category (``svytotal`` of a factor) and the population variance (``svyvar``)."""

from __future__ import annotations

import numpy as np

from ._domains import domain_masks
from ._domains import mask_df
from ._domains import numeric_column
from ._estimators import mean_of_values
from ._results import Estimate
from ._results import EstimateSet
from ._scores import Scores
from ._variance import variance


def counts(design, variable: str, by: str | None = None, levels=None) -> EstimateSet:
    """Estimated number of population members in each category, with SEs.

    Parameters
    ----------
    design : Design
    variable : str
        Categorical column; missing values are left out (R's ``na.rm=TRUE``).
    by : str, optional
        Domain variable: counts within each domain (domain variance from the
        full design, the domain's own degrees of freedom as ``svyby``).
    levels : sequence, optional
        Categories to report, in order (others count as missing).

    Returns
    -------
    EstimateSet
        One :class:`Estimate` (kind ``"total"``, with ``category``, ``count``
        = unweighted respondents in the category) per category and domain; its
        ``ci()`` is the t interval.

    Notes
    -----
    As ``svytotal(~factor, design)`` (and ``svyby(~factor, ~by, design,
    svytotal)``): :math:`\\hat N_{dc} = \\sum_i w_i I_d(i) I(c_i = c)` with
    influence values :math:`z_i = w_i I_d(i) I(c_i = c)`, whose PSU totals give
    the variance (see :class:`Design`; calibration-adjusted on a calibrated
    design).  ``deff`` compares with :math:`\\hat N_d^2\\,s^2/n_d`, where
    :math:`s^2 = \\hat p(1-\\hat p)\\,n_d/(n_d-1)`.

    References
    ----------
    Horvitz & Thompson (1952); Lumley (2010), sec. 2.3.
    """
    f = design.factor(variable, levels)
    C = f.n_levels
    domains = list(domain_masks(design, by, f.codes >= 0))
    D = len(domains)
    code = np.zeros(design.n, dtype=np.int64) - 1
    for i, (_, mask) in enumerate(domains):
        code[mask] = i * C + f.codes[mask]
    w = design.weights
    ok = code >= 0
    est = np.bincount(code[ok], weights=w[ok], minlength=D * C)
    scores = Scores(D * C, value=np.where(ok, w, 0.0), column=code)
    cov = variance(design, scores, covariance=D * C <= 400)
    var = np.diag(cov) if cov.ndim == 2 else cov
    cnt = np.bincount(code[ok], minlength=D * C)
    out = []
    for i, (label, mask) in enumerate(domains):
        n_d = int(mask.sum())
        total_w = float(w[mask].sum())
        df = mask_df(design, mask) if by is not None else design.df
        for c, category in enumerate(f.levels):
            k = i * C + c
            p = est[k] / total_w if total_w > 0 else float("nan")
            vsrs = total_w**2 * p * (1 - p) / (n_d - 1) if n_d > 1 else float("nan")
            v = max(float(var[k]), 0.0)
            deff = v / vsrs if vsrs > 0 else float("nan")
            out.append(
                Estimate(
                    name=variable,
                    kind="total",
                    estimate=float(est[k]),
                    se=float(np.sqrt(v)),
                    df=df,
                    n=n_d,
                    n_eff=n_d / deff if deff > 0 else float(n_d),
                    deff=deff,
                    category=category,
                    domain=label,
                    count=int(cnt[k]),
                )
            )
    return EstimateSet(
        name=variable, estimates=tuple(out), covariance=cov if cov.ndim == 2 else None
    )


def population_variance(design, variable: str, by: str | None = None):
    """Estimated population variance of a numeric variable (``svyvar``).

    Parameters
    ----------
    design : Design
    variable : str
        Numeric column; missing values are left out (R's ``na.rm=TRUE``).
    by : str, optional
        Domain variable (one variance per domain, as ``svyby(..., svyvar)``).

    Returns
    -------
    Estimate or EstimateSet
        Kind ``"variance"``.

    Notes
    -----
    As R's ``svyvar``: with :math:`n` the rows with a positive weight (in
    the domain; R counts them before leaving out missing values, and so does
    this function) and :math:`\\hat\\mu` the weighted mean,

    .. math::

        \\hat\\sigma^2 = \\frac{n}{n-1}
        \\frac{\\sum_i w_i (y_i-\\hat\\mu)^2}{\\sum_i w_i},

    i.e. the weighted mean of :math:`v_i = (y_i-\\hat\\mu)^2 n/(n-1)`; its
    standard error is that mean's linearised SE (:func:`analysis.mean` of
    :math:`v_i`; estimating :math:`\\hat\\mu` adds nothing to first order,
    since :math:`\\sum_i w_i(y_i-\\hat\\mu) = 0`).

    References
    ----------
    Lumley (2010), sec. 2.4; Binder (1983).
    """
    y = numeric_column(design, variable)
    w = design.weights
    v = np.full(design.n, np.nan)
    available = ~np.isnan(y) & (w > 0)
    # n counts the rows of the sample (positive full-sample weight), as R does for both
    # svydesign and svrepdesign objects -- also when a replicate's weight is zero.
    sampled = design.base_weights > 0
    domains = design.factor(by).codes if by is not None else np.zeros(design.n, dtype=np.int64)
    for d in range(int(domains.max()) + 1):
        rows = domains == d
        n = int((rows & sampled).sum())
        mask = rows & available
        if n < 2 or not mask.any():
            continue
        centre = np.sum(w[mask] * y[mask]) / np.sum(w[mask])
        v[mask] = (y[mask] - centre) ** 2 * n / (n - 1)
    zero = (w == 0) & ~np.isnan(y)
    v[zero] = 0.0
    return mean_of_values(design, v, variable, by, kind="variance")
