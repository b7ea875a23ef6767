"""Bulk entry point for the web app: every share of many categorical items in one pass."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from ._estimators import item_shares
from ._intervals import _check_level
from ._intervals import normalize_method
from ._intervals import t_quantile


def describe_items(
    design,
    items,
    by: str | None = None,
    level: float = 0.95,
    method: str = "logit",
    levels: Mapping | None = None,
) -> pd.DataFrame:
    """Shares of every category of many categorical items, with SE, CI, n, n_eff and deff.

    Parameters
    ----------
    design : Design
    items : sequence of str
        Categorical columns (Likert or choice questions).
    by : str, optional
        Domain variable: shares within each domain (domain variance from the
        full design).
    level : float
        Confidence level of the intervals.
    method : str
        Share interval: ``"logit"`` (default), ``"korn-graubard"``,
        ``"wilson"``, ``"clopper-pearson"`` or ``"wald"`` -- the same
        formulas as :meth:`Estimate.ci`, vectorised.
    levels : mapping, optional
        ``{item: [categories in order]}`` for items whose order matters.

    Returns
    -------
    pandas.DataFrame
        One row per item x domain x category with columns ``item, domain,
        category, estimate, se, ci_low, ci_high, df, n, count, n_eff, deff``.
        ``n`` is the item's unweighted base (non-missing answers in the
        domain); ``count`` the unweighted respondents in the category.

    Notes
    -----
    Each item is factorised once and all its shares and linearised variances
    come from bincounts over (PSU, domain x category) pairs
    (:func:`analysis._estimators.share_arrays`); no loop runs over rows.

    References
    ----------
    Lumley (2010), sec. 2.4; Korn & Graubard (1998); Wilson (1927);
    Clopper & Pearson (1934); Kish (1965).
    """
    method = normalize_method(method)
    frames = []
    for item in items:
        f, dlevels, res = item_shares(
            design, item, None if levels is None else levels.get(item), by
        )
        C, D = f.n_levels, len(dlevels)
        if C == 0:
            continue
        p = res["p"].ravel()
        var = res["var"].ravel()
        n = np.repeat(res["n"], C).astype(np.float64)
        count = res["count"].ravel().astype(np.float64)
        se = np.sqrt(var)
        pq = p * (1 - p)
        with np.errstate(divide="ignore", invalid="ignore"):
            n_eff = np.where(var > 0, pq / var, n)
            deff = np.where((pq > 0) & (n > 0), var / (pq / n), np.nan)
        low, high = share_intervals(
            p, se, design.df, n, n_eff, count, design.is_unweighted_srs, level, method
        )
        frames.append(
            pd.DataFrame(
                {
                    "item": item,
                    "domain": np.repeat(np.array(dlevels, dtype=object), C),
                    "category": np.tile(np.array(f.levels, dtype=object), D),
                    "estimate": p,
                    "se": se,
                    "ci_low": low,
                    "ci_high": high,
                    "df": design.df,
                    "n": n.astype(np.int64),
                    "count": count.astype(np.int64),
                    "n_eff": n_eff,
                    "deff": deff,
                }
            )
        )
    if not frames:
        return pd.DataFrame(
            columns=[
                "item",
                "domain",
                "category",
                "estimate",
                "se",
                "ci_low",
                "ci_high",
                "df",
                "n",
                "count",
                "n_eff",
                "deff",
            ]
        )
    return pd.concat(frames, ignore_index=True)


def share_intervals(p, se, df, n, n_eff, count, unweighted, level=0.95, method="logit"):
    """Vectorised share intervals (formulas of :func:`analysis._intervals.proportion_interval`).

    Shares with no base (empty domain: ``p`` is NaN) get ``(nan, nan)`` for
    every method, as the scalar :meth:`Estimate.ci` does.
    """
    low, high = _share_intervals(p, se, df, n, n_eff, count, unweighted, level, method)
    empty = np.isnan(np.asarray(p, dtype=np.float64))
    return np.where(empty, np.nan, low), np.where(empty, np.nan, high)


def _share_intervals(p, se, df, n, n_eff, count, unweighted, level, method):
    alpha = _check_level(level)
    method = normalize_method(method)
    p = np.asarray(p, dtype=np.float64)
    se = np.asarray(se, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64) * np.ones_like(p)
    q = t_quantile(level, df)
    if method in ("asin", "likelihood"):  # scalar formulas of _intervals, cell by cell
        return _scalar_share_intervals(p, se, df, n, n_eff, count, unweighted, level, method)
    if method == "wald":
        return np.clip(p - q * se, 0, 1), np.clip(p + q * se, 0, 1)
    if method == "logit":
        inner = (p > 0) & (p < 1) & (se > 0)
        ps = np.where(inner, p, 0.5)
        centre = np.log(ps / (1 - ps))
        half = q * np.where(inner, se, 0.0) / (ps * (1 - ps))
        low = 1 / (1 + np.exp(-(centre - half)))
        high = 1 / (1 + np.exp(-(centre + half)))
        cp_low, cp_high = _cp(p * n, n, alpha)
        return np.where(inner, low, cp_low), np.where(inner, high, cp_high)
    if method == "korn-graubard":
        with np.errstate(divide="ignore", invalid="ignore"):
            ne = np.where((se > 0) & (p > 0) & (p < 1), p * (1 - p) / se**2, n)
        if df is not None and np.isfinite(df) and df >= 1:
            ratio = np.where(
                n > 1,
                (stats.t.isf(alpha / 2, np.maximum(n - 1, 1)) / q) ** 2,
                1.0,
            )
            ne = np.where((se > 0) & (p > 0) & (p < 1), ne * ratio, ne)
        ne = np.minimum(ne, n)
        return _cp(ne * p, ne, alpha)
    if unweighted:
        x, trials = np.asarray(count, dtype=np.float64), n
    else:
        trials = np.asarray(n_eff, dtype=np.float64)
        x = p * trials
    if method == "wilson":
        z = t_quantile(level, math.inf)
        with np.errstate(divide="ignore", invalid="ignore"):
            ph = np.where(trials > 0, x / trials, p)
            denom = 1 + z * z / trials
            centre = (ph + z * z / (2 * trials)) / denom
            half = (
                z / denom * np.sqrt(np.maximum(ph * (1 - ph), 0) / trials + z * z / (4 * trials**2))
            )
        low = np.where(ph <= 0, 0.0, np.clip(centre - half, 0, 1))
        high = np.where(ph >= 1, 1.0, np.clip(centre + half, 0, 1))
        return low, high
    return _cp(x, trials, alpha)


def _scalar_share_intervals(p, se, df, n, n_eff, count, unweighted, level, method):
    """The :func:`analysis._intervals.proportion_interval` of every cell (asin, likelihood)."""
    from ._intervals import proportion_interval

    n_eff = np.broadcast_to(np.asarray(n_eff, dtype=np.float64), p.shape)
    count = np.broadcast_to(np.asarray(count, dtype=np.float64), p.shape)
    low = np.full(p.shape, np.nan)
    high = np.full(p.shape, np.nan)
    for i in np.ndindex(p.shape):
        low[i], high[i] = proportion_interval(
            p[i], se[i], df, n[i], n_eff[i], count[i], unweighted, level, method
        )
    return low, high


def _cp(x, n, alpha):
    x = np.clip(np.asarray(x, dtype=np.float64), 0, None)
    n = np.asarray(n, dtype=np.float64)
    x = np.minimum(x, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        low = np.where(x > 0, stats.beta.ppf(alpha / 2, np.maximum(x, 1e-300), n - x + 1), 0.0)
        high = np.where(x < n, stats.beta.isf(alpha / 2, x + 1, np.maximum(n - x, 1e-300)), 1.0)
    return np.nan_to_num(low, nan=0.0), np.nan_to_num(high, nan=1.0)
