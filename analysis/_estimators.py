"""Means, totals, ratios and shares with Taylor-linearised standard errors.

Domain estimates (``by=``) use the whole design: the influence values are
zero outside the domain, so PSUs without domain members still count
(Lumley 2010, sec. 2.3).  Each estimator uses the available cases of its
variable(s) and reports how many were used (``n``).
"""

from __future__ import annotations

import numpy as np

from . import _fastpath
from ._common import _MAX_COVARIANCE_COLUMNS
from ._common import _group_sum
from ._common import _package
from ._common import _per_row
from ._common import _safe_div
from ._common import available
from ._common import estimate_only
from ._domains import _domains
from ._domains import domain_df
from ._intervals import negligible
from ._results import Estimate
from ._results import EstimateSet
from ._scores import Scores
from ._variance import variance
from ._weight_block import WeightBlock
from ._weight_block import takes_weight_block


@takes_weight_block
def mean(design, variable: str, by: str | None = None):
    """Weighted mean (a ratio estimator) with its linearised standard error.

    Parameters
    ----------
    design : Design
    variable : str
        Numeric column; missing values are left out (available cases).
    by : str, optional
        Domain variable: one estimate per level, with domain variance from the
        full design (not a subset design).

    Returns
    -------
    Estimate or EstimateSet
        An :class:`EstimateSet` (with covariance matrix) when ``by`` is given.

    Notes
    -----
    :math:`\\hat\\mu_d = \\sum_i w_i I_d(i) y_i / \\sum_i w_i I_d(i)` with
    influence values :math:`z_i = w_i I_d(i)(y_i-\\hat\\mu_d)/\\hat N_d`
    (Binder 1983), whose PSU totals give the variance (see :class:`Design`).

    References
    ----------
    Lumley (2010), ch. 2; Binder (1983).
    """
    return mean_of_values(design, design.numeric(variable), variable, by)


@takes_weight_block
def mean_of_values(design, y: np.ndarray, name: str, by: str | None = None, kind: str = "mean"):
    """:func:`mean` of an array aligned with the design rows (NaN = not available).

    Each pass over the rows is one vector operation on full-length arrays
    (:func:`analysis._common.available`: a missing value has weight 0, no
    rows are copied out), and without ``by`` the per-domain sums are plain
    sums.
    """
    rows = available(design, by, y)
    c, D, w0, (y0,), W = rows.codes, rows.n_groups, rows.weights, rows.values, rows.weight_sum
    est = _safe_div(_group_sum(c, w0, D, y0), W)
    if estimate_only(design):
        return _estimates(design, name, kind, est, by, rows)
    resid = y0 - _per_row(np.nan_to_num(est), c, D)
    value = w0 * resid
    ss = _group_sum(c, value, D, resid)  # sum of w r^2, for the design effect
    value *= _per_row(np.nan_to_num(_safe_div(1.0, W)), c, D)
    return _finish(design, name, kind, est, value, by, rows, _safe_div(ss, W), 1.0)


def _estimates(design, name, kind, est, by, rows):
    """The estimates alone, for a replicate's re-run (its variance is never used).

    With a :class:`WeightBlock` of weights: every replicate's estimates, shape (domains, R).
    """
    if isinstance(rows.weights, WeightBlock):
        return est
    nan = np.full(rows.n_groups, np.nan)
    return _package(name, kind, est, nan, design.df, rows.n, nan, rows.levels, by, None)


def _finish(design, name, kind, est, value, by, rows, s2, srs_factor):
    """Variance of the influence ``value`` and the packaged estimates.

    ``s2`` is the weighted variance of the residuals (without the ``n/(n-1)``),
    ``srs_factor`` turns ``s2/n`` into the SRS variance of the statistic.
    """
    D = rows.n_groups
    scores = Scores(D, value=value, column=None if D == 1 else rows.codes)
    cov = variance(design, scores, covariance=D <= _MAX_COVARIANCE_COLUMNS and by is not None)
    var = np.diag(cov) if cov.ndim == 2 else cov
    n_d = rows.n
    s2 = s2 * _safe_div(n_d, n_d - 1)  # R's svyvar
    return _package(
        name,
        kind,
        est,
        var,
        domain_df(design, by),
        n_d,
        srs_factor * _safe_div(s2, n_d),
        rows.levels,
        by,
        cov if cov.ndim == 2 else None,
        design.df,
    )


@takes_weight_block
def total(design, variable: str, by: str | None = None):
    """Weighted (Horvitz-Thompson) total with its linearised standard error.

    Parameters
    ----------
    design : Design
    variable : str
        Numeric column; missing values count as not observed (left out).
    by : str, optional
        Domain variable (one total per level).

    Returns
    -------
    Estimate or EstimateSet

    Notes
    -----
    :math:`\\hat T_d = \\sum_i w_i I_d(i) y_i`, influence :math:`z_i = w_i I_d(i) y_i`.
    The design effect compares with :math:`\\hat N_d^2 s_d^2/n_d`.

    References
    ----------
    Horvitz & Thompson (1952); Lumley (2010), ch. 2.
    """
    rows = available(design, by, design.numeric(variable))
    c, D, w0, (y0,), W = rows.codes, rows.n_groups, rows.weights, rows.values, rows.weight_sum
    est = _group_sum(c, w0, D, y0)
    if estimate_only(design):
        return _estimates(design, variable, "total", est, by, rows)
    resid = y0 - _per_row(np.nan_to_num(_safe_div(est, W)), c, D)
    ss = _group_sum(c, w0 * resid, D, resid)
    return _finish(design, variable, "total", est, w0 * y0, by, rows, _safe_div(ss, W), W**2)


@takes_weight_block
def ratio(design, numerator: str, denominator: str, by: str | None = None):
    """Ratio of two weighted totals, :math:`\\hat R = \\hat Y / \\hat X`.

    Parameters
    ----------
    design : Design
    numerator, denominator : str
        Numeric columns; rows where either is missing are left out.
    by : str, optional
        Domain variable.

    Returns
    -------
    Estimate or EstimateSet

    Notes
    -----
    Influence :math:`z_i = w_i (y_i - \\hat R x_i)/\\hat X` (Binder 1983;
    ``svyratio`` in Lumley 2010, sec. 3.3).

    References
    ----------
    Binder (1983); Lumley (2010), sec. 3.3.
    """
    rows = available(design, by, design.numeric(numerator), design.numeric(denominator))
    c, D, w0, (y0, x0), W = rows.codes, rows.n_groups, rows.weights, rows.values, rows.weight_sum
    X = _group_sum(c, w0, D, x0)
    est = _safe_div(_group_sum(c, w0, D, y0), X)
    if estimate_only(design):
        return _estimates(design, f"{numerator}/{denominator}", "ratio", est, by, rows)
    resid = y0 - _per_row(np.nan_to_num(est), c, D) * x0
    value = w0 * resid
    ss = _group_sum(c, value, D, resid)
    value *= _per_row(np.nan_to_num(_safe_div(1.0, X)), c, D)
    xbar = _safe_div(X, W)
    name = f"{numerator}/{denominator}"
    return _finish(design, name, "ratio", est, value, by, rows, _safe_div(ss, W), 1.0 / xbar**2)


def share_arrays(
    design,
    codes: np.ndarray,
    n_categories: int,
    domain_codes: np.ndarray,
    n_domains: int,
    covariance: bool = False,
) -> dict:
    """Shares of every (domain, category) cell in one vectorised pass.

    Returns a dict of arrays of shape ``(n_domains, n_categories)``: ``p``,
    ``var``, ``count`` (unweighted respondents in the cell), ``n`` (unweighted
    base of the domain), plus ``cov`` (flattened cells) when requested.

    Notes
    -----
    :math:`\\hat p_{dc} = \\hat N_{dc}/\\hat N_d`; influence
    :math:`z_i = w_i I_d(i)\\{I(c_i=c) - \\hat p_{dc}\\}/\\hat N_d`, stored
    as a sparse part plus an offset so PSU totals are two bincounts over
    (PSU, cell) and (PSU, domain) pairs.  Without clusters the same variance
    comes from cell sums (:mod:`analysis._fastpath`).
    """
    mom = _fastpath.moments(design, codes, n_categories, domain_codes, n_domains)
    if mom is not None:
        covariance = covariance and n_categories * n_domains <= _MAX_COVARIANCE_COLUMNS
        return clean_share_variance(_fastpath.shares(design, mom, covariance=covariance))
    return clean_share_variance(
        _generic_share_arrays(design, codes, n_categories, domain_codes, n_domains, covariance)
    )


def item_shares(
    design, variable: str, levels=None, by: str | None = None, covariance: bool = False
):
    """Factor, domain levels and :func:`share_arrays` result of a named item (cached cells)."""
    f = design.factor(variable, levels)
    d, dlevels = _domains(design, by)
    mom = _fastpath.item_moments(design, variable, f, d, len(dlevels), by)
    if mom is not None:
        covariance = covariance and f.n_levels * len(dlevels) <= _MAX_COVARIANCE_COLUMNS
        return (
            f,
            dlevels,
            clean_share_variance(_fastpath.shares(design, mom, covariance=covariance)),
        )
    return (
        f,
        dlevels,
        clean_share_variance(
            _generic_share_arrays(design, f.codes, f.n_levels, d, len(dlevels), covariance)
        ),
    )


def _generic_share_arrays(design, codes, n_categories, domain_codes, n_domains, covariance):
    """:func:`share_arrays` through PSU totals (any design)."""
    C, D = n_categories, n_domains
    covariance = covariance and C * D <= _MAX_COVARIANCE_COLUMNS
    w = design.weights
    ok = (codes >= 0) & (domain_codes >= 0)
    dd = np.where(ok, domain_codes, 0)
    cell = dd * C + np.where(ok, codes, 0)
    wk = w[ok]
    W = np.bincount(dd[ok], weights=wk, minlength=D)
    Wc = np.bincount(cell[ok], weights=wk, minlength=D * C).reshape(D, C)
    p = _safe_div(Wc, W[:, None])
    scaled = np.where(ok, w / np.where(W[dd] > 0, W[dd], 1.0), 0.0)
    coef = np.zeros((D, D * C))
    for i in range(D):
        coef[i, i * C : (i + 1) * C] = np.nan_to_num(p[i])
    scores = Scores(
        D * C,
        value=scaled,
        column=np.where(ok, cell, -1),
        offset_value=scaled,
        offset_group=np.where(ok, dd, -1),
        offset_coef=coef,
    )
    v = variance(design, scores, covariance=covariance)
    var = np.diag(v) if covariance else v
    count = np.bincount(cell[ok], minlength=D * C).reshape(D, C)
    n = np.bincount(dd[ok], minlength=D)
    out = {"p": p, "var": np.maximum(var.reshape(D, C), 0.0), "count": count, "n": n}
    if covariance:
        out["cov"] = v
    return out


def proportion(design, variable: str, by: str | None = None, levels=None) -> EstimateSet:
    """Share of respondents in each category of a categorical variable.

    Parameters
    ----------
    design : Design
    variable : str
        Categorical column; missing values are left out of the base.
    by : str, optional
        Domain variable: shares within each domain.
    levels : sequence, optional
        Categories to report, in order (others are treated as missing).

    Returns
    -------
    EstimateSet
        One :class:`Estimate` (kind ``"proportion"``) per category (and
        domain), each with ``ci(level, method)``; default method ``"logit"``.
        Domain estimates carry their domain's own df (:func:`domain_df`).

    Notes
    -----
    Variance as in :func:`share_arrays`.  ``n_eff = p(1-p)/var`` and
    ``deff = var / (p(1-p)/(n-1))``, the variance of a with-replacement simple
    random sample with R's ``n/(n-1)`` weighted variance, as
    ``svymean(~factor, design, deff="replace")``.  Interval methods: see
    :func:`analysis._intervals.share_intervals` (logit and beta as
    ``svyciprop``; Korn & Graubard 1998; Wilson 1927; Clopper & Pearson 1934).

    References
    ----------
    Lumley (2010), sec. 2.4; Kish, L. (1965). *Survey Sampling*. Wiley.
    """
    f, dlevels, res = item_shares(design, variable, levels, by, covariance=True)
    df = domain_df(design, by)
    estimates = []
    for i, dl in enumerate(dlevels):
        for c, cl in enumerate(f.levels):
            estimates.append(
                _share_estimate(
                    design, variable, res, i, c, cl, dl if by is not None else None, df[i]
                )
            )
    return EstimateSet(
        name=variable,
        estimates=tuple(estimates),
        covariance=res.get("cov"),
        design_df=design.df,
    )


def clean_share_variance(res: dict) -> dict:
    """Round-off of a zero variance becomes 0; an empty domain's variance is NaN (in place)."""
    var = np.where(negligible(np.sqrt(res["var"])), 0.0, res["var"])
    res["var"] = np.where(res["n"][:, None] > 0, var, np.nan)
    return res


def share_deff(p, var, n):
    """Design effect of a share: ``var / (p(1-p)/(n-1))`` (``svymean(..., deff="replace")``)."""
    p = np.asarray(p, dtype=np.float64)
    pq = p * (1 - p)
    ok = (pq > 0) & (np.asarray(n) > 1)
    return np.where(ok, var * (n - 1.0) / np.where(ok, pq, 1.0), np.nan)


def _share_estimate(design, name, res, i, c, category, domain, df=None):
    p = float(res["p"][i, c])
    v = float(res["var"][i, c])
    n = int(res["n"][i])
    pq = p * (1 - p)
    n_eff = pq / v if v > 0 else float(n)
    return Estimate(
        name=name,
        kind="proportion",
        estimate=p,
        se=float(np.sqrt(v)),
        df=float(design.df if df is None else df),
        n=n,
        n_eff=float(n_eff),
        deff=float(share_deff(p, v, n)),
        category=category,
        domain=domain,
        count=int(res["count"][i, c]),
        unweighted=design.is_unweighted_srs,
    )
