"""Bulk entry point for the web app: every share of many categorical items in one pass."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ._estimators import domain_df
from ._estimators import item_shares
from ._estimators import share_deff
from ._intervals import normalize_method
from ._intervals import share_intervals
from ._reliability import share_flags

__all__ = ["describe_items", "share_intervals"]


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
        category, estimate, se, ci_low, ci_high, df, n, count, n_eff, deff,
        flags, reliable``: ``df`` is the domain's own (as ``svyby``), ``deff``
        uses R's ``n/(n-1)``, ``flags`` the reasons a share falls short of the
        NCHS presentation standards (:mod:`analysis._reliability`).
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
        df = np.repeat(domain_df(design, by), C)
        count = res["count"].ravel().astype(np.float64)
        se = np.sqrt(var)
        pq = p * (1 - p)
        with np.errstate(divide="ignore", invalid="ignore"):
            n_eff = np.where(var > 0, pq / var, n)
        deff = share_deff(p, var, n)
        flags = share_flags(p, se, n, df)
        low, high = share_intervals(
            p, se, df, n, n_eff, count, design.is_unweighted_srs, level, method
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
                    "df": df,
                    "n": n.astype(np.int64),
                    "count": count.astype(np.int64),
                    "n_eff": n_eff,
                    "deff": deff,
                    "flags": flags,
                    "reliable": [not f for f in flags],
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
                "flags",
                "reliable",
            ]
        )
    return pd.concat(frames, ignore_index=True)
