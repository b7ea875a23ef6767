"""Satisfaction scoring: Likert answers to 0-100 scores, satisfaction rates, dimension indices."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._errors import SurveyError
from ._errors import VariableError
from ._estimators import _MAX_COVARIANCE_COLUMNS
from ._estimators import _domains
from ._estimators import _package
from ._estimators import _safe_div
from ._estimators import _share_estimate
from ._estimators import clean_share_variance
from ._estimators import domain_df
from ._estimators import mean_of_values
from ._estimators import share_arrays
from ._results import EstimateSet
from ._scores import Scores
from ._variance import variance

#: Answers treated as non-substantive (left out of the base) unless told otherwise.
NON_SUBSTANTIVE = (
    "don't know",
    "dont know",
    "don’t know",
    "not used",
    "not applicable",
    "n/a",
    "na",
    "dk",
    "prefer not to say",
    "refused",
)


def _is_excluded(level, exclude) -> bool:
    return str(level).strip().lower() in {str(e).strip().lower() for e in exclude}


def scale_levels(design, item: str, levels=None, exclude=NON_SUBSTANTIVE) -> tuple:
    """Ordered substantive answer levels of a Likert item, worst first.

    Without ``levels`` the observed values are used when they are contiguous
    integer codes (sorted ascending); text answers, and numeric codes with gaps
    (1-5 and 9 for "don't know"), raise :class:`VariableError`: pass ``levels``.
    """
    if levels is not None:
        return tuple(lv for lv in levels if not _is_excluded(lv, exclude))
    observed = [lv for lv in design.factor(item).levels if not _is_excluded(lv, exclude)]
    if not all(
        isinstance(lv, (int, float, np.number)) and not isinstance(lv, bool) for lv in observed
    ):
        raise VariableError(f"{item!r} has text answers; pass levels=[worst, ..., best]")
    codes = sorted(observed)
    contiguous = all(float(c).is_integer() for c in codes) and (
        not codes or codes[-1] - codes[0] + 1 == len(codes)
    )
    if not contiguous:
        # e.g. 1..5 plus 9 for "don't know": 9 would silently become the top of the scale
        raise VariableError(
            f"{item!r} has answer codes {codes} that are not one contiguous scale; "
            "pass levels=[worst, ..., best] (its substantive codes)"
        )
    return tuple(codes)


def level_scores(levels: Sequence, table: Mapping | None = None) -> np.ndarray:
    """Score (0-100) of each level: linear by default, or from ``table``.

    Notes
    -----
    Linear scoring of :math:`k` ordered levels gives level :math:`j`
    (:math:`j = 0..k-1`, worst first) the score :math:`100 j/(k-1)`.  A table
    such as ``{5: 100, 4: 80, 3: 60, 2: 40, 1: 20}`` overrides it.
    """
    k = len(levels)
    if k < 2:
        raise SurveyError("a Likert scale needs at least two substantive levels")
    if table is None:
        return 100.0 * np.arange(k) / (k - 1)
    lookup = {str(key): float(v) for key, v in table.items()}
    try:
        return np.array([lookup[str(lv)] for lv in levels])
    except KeyError as exc:
        raise SurveyError(f"score table has no entry for level {exc.args[0]!r}") from None


def _codes(design, item, levels):
    return design.factor(item, levels).codes


def item_scores(design, item: str, levels=None, table=None, exclude=NON_SUBSTANTIVE) -> np.ndarray:
    """Per-respondent 0-100 score of an item (NaN for missing / non-substantive)."""
    levels = scale_levels(design, item, levels, exclude)
    codes = _codes(design, item, levels)
    values = level_scores(levels, table)
    return np.where(codes >= 0, values[np.maximum(codes, 0)], np.nan)


def score(design, item: str, levels=None, table=None, exclude=NON_SUBSTANTIVE, by=None):
    """Mean 0-100 satisfaction score of a Likert item.

    Parameters
    ----------
    design : Design
    item : str
    levels : sequence, optional
        Substantive levels, worst first (default: sorted numeric answers).
    table : mapping, optional
        Score per level (default: linear 0-100).
    exclude : sequence of str
        Non-substantive answers left out of the base (case-insensitive).
    by : str, optional
        Domain variable.

    Returns
    -------
    Estimate or EstimateSet
        Kind ``"score"``; ``n`` is the substantive base.

    Notes
    -----
    A weighted mean of the scores,
    :math:`\\hat\\mu = \\sum_i w_i s(y_i) / \\sum_i w_i` over substantive answers;
    variance by linearisation as :func:`analysis.mean`.

    References
    ----------
    Lumley (2010), ch. 2.
    """
    return mean_of_values(
        design, item_scores(design, item, levels, table, exclude), item, by, kind="score"
    )


def satisfaction_rate(
    design, item: str, levels=None, top: int = 2, exclude=NON_SUBSTANTIVE, by=None
):
    """Share of substantive answers in the top ``top`` categories ("top-two box").

    Parameters
    ----------
    design : Design
    item : str
    levels : sequence, optional
        Substantive levels, worst first.
    top : int
        Number of best categories counted as satisfied.
    exclude : sequence of str
        Non-substantive answers left out of the base.
    by : str, optional
        Domain variable.

    Returns
    -------
    Estimate or EstimateSet
        Kind ``"proportion"`` (so ``ci`` offers the share interval methods).
        With ``by``, the set carries the covariance of the domains' rates, so
        :func:`analysis.domain_difference` compares two of them.

    Notes
    -----
    :math:`\\hat p = \\sum_i w_i I(y_i \\in \\text{top}) / \\sum_i w_i I(y_i \\text{ substantive})`.

    References
    ----------
    Lumley (2010), sec. 2.4.
    """
    levels = scale_levels(design, item, levels, exclude)
    if not 1 <= top < len(levels):
        raise SurveyError("top must be between 1 and the number of levels minus one")
    codes = _codes(design, item, levels)
    binary = np.where(codes >= 0, (codes >= len(levels) - top).astype(np.int64), -1)
    d, dlevels = _domains(design, by)
    res = share_arrays(design, binary, 2, d, len(dlevels), covariance=by is not None)
    name = f"{item}:top{top}"
    df = domain_df(design, by)
    estimates = tuple(
        _share_estimate(
            design, name, res, i, 1, "top%d" % top, dl if by is not None else None, df[i]
        )
        for i, dl in enumerate(dlevels)
    )
    if by is None:
        return estimates[0]
    cov = res.get("cov")
    if cov is not None:
        top_cells = 2 * np.arange(len(dlevels)) + 1  # cells are (domain, category) pairs
        cov = cov[np.ix_(top_cells, top_cells)]
    return EstimateSet(name=name, estimates=estimates, covariance=cov, design_df=design.df)


def dimension_index(
    design, items, levels=None, table=None, exclude=NON_SUBSTANTIVE, by=None, name: str = "index"
):
    """Weighted combination of item scores, with a linearised SE and interval.

    Parameters
    ----------
    design : Design
    items : sequence of str or mapping str -> float
        Items of the dimension, with optional importance weights :math:`a_j`
        (default equal).
    levels, table, exclude
        As for :func:`score` (shared by all items).
    by : str, optional
        Domain variable.
    name : str
        Label of the index.

    Returns
    -------
    Estimate or EstimateSet (kind ``"index"``)

    Notes
    -----
    :math:`I = \\sum_j a_j \\hat\\mu_j / \\sum_j a_j`, each item mean on its own
    available cases.  Influence values
    :math:`z_i = \\sum_j a_j w_i r_{ij}(y_{ij}-\\hat\\mu_j)/\\hat N_j / \\sum_j a_j`
    (:math:`r_{ij}` = item answered), so the variance includes the
    covariances between items (Binder 1983).  ``n`` counts respondents with at
    least one substantive answer.

    References
    ----------
    Binder (1983); Lumley (2010), sec. 3.3 (``svycontrast``).
    """
    weights = dict(items) if isinstance(items, Mapping) else {it: 1.0 for it in items}
    if not weights:
        raise SurveyError("a dimension index needs at least one item")
    a = np.array(list(weights.values()), dtype=np.float64)
    a = a / a.sum()
    d, dlevels = _domains(design, by)
    D = len(dlevels)
    w = design.weights
    # Each row's influence value goes to its own domain's column only: one value per row.
    z = np.zeros(design.n)
    est = np.zeros(D)
    answered = np.zeros(design.n, dtype=bool)
    composite = np.zeros(design.n)
    in_domain = d >= 0
    for aj, item in zip(a, weights):
        y = item_scores(design, item, levels, table, exclude)
        ok = ~np.isnan(y) & in_domain
        answered |= ok
        d_ok, w_ok = d[ok], w[ok]
        W = np.bincount(d_ok, weights=w_ok, minlength=D)
        mu = _safe_div(np.bincount(d_ok, weights=w_ok * y[ok], minlength=D), W)
        est += aj * mu
        dd = np.where(ok, d, 0)
        resid = np.where(ok, y - mu[dd], 0.0)
        contrib = aj * w * resid / np.where(W[dd] > 0, W[dd], 1.0)
        z += np.where(ok, contrib, 0.0)
        composite += np.where(ok, aj * resid, 0.0)
    # With domains, the full covariance lets domain_difference compare the index between them.
    with_cov = by is not None and D <= _MAX_COVARIANCE_COLUMNS
    scores = Scores(D, value=z, column=None if by is None else np.where(d >= 0, d, -1))
    cov = variance(design, scores, covariance=with_cov)
    var = np.diag(cov) if with_cov else cov
    ok = answered & (d >= 0)
    dd = np.where(ok, d, 0)
    n_d = np.bincount(dd[ok], minlength=D).astype(np.float64)
    Wd = np.bincount(dd[ok], weights=w[ok], minlength=D)
    s2 = _safe_div(np.bincount(dd[ok], weights=w[ok] * composite[ok] ** 2, minlength=D), Wd)
    s2 = s2 * _safe_div(n_d, n_d - 1)
    return _package(
        name,
        "index",
        est,
        var,
        domain_df(design, by),
        n_d,
        _safe_div(s2, n_d),
        dlevels,
        by,
        cov if with_cov else None,
        design.df,
    )


def score_items(
    design,
    items,
    levels=None,
    table=None,
    exclude=NON_SUBSTANTIVE,
    top: int = 2,
    level: float = 0.95,
) -> pd.DataFrame:
    """Score and satisfaction rate of many Likert items, one row per item.

    Parameters
    ----------
    design : Design
    items : sequence of str
    levels, table, exclude, top
        As for :func:`score` and :func:`satisfaction_rate` (shared by all items).
    level : float
        Confidence level (t interval for the score, logit interval for the rate).

    Returns
    -------
    pandas.DataFrame
        Columns ``item, score, score_se, score_ci_low, score_ci_high, base,
        score_deff, rate, rate_se, rate_ci_low, rate_ci_high, rate_n_eff,
        rate_deff``; ``base`` is the number of substantive answers.

    Notes
    -----
    Same estimators as :func:`score` and :func:`satisfaction_rate`; when every
    respondent is a PSU both come from one set of cell sums per item
    (:mod:`analysis._fastpath`), shared with :func:`analysis.describe_items`.

    References
    ----------
    Lumley (2010), ch. 2; Binder (1983).
    """
    from . import _fastpath

    rows = []
    for item in items:
        scale = scale_levels(design, item, levels, exclude)
        if not 1 <= top < len(scale):
            raise SurveyError("top must be between 1 and the number of levels minus one")
        full = design.factor(item)
        mom = _fastpath.item_moments(
            design, item, full, np.zeros(design.n, dtype=np.int64), 1, None
        )
        if mom is None:
            s = score(design, item, levels, table, exclude)
            r = satisfaction_rate(design, item, levels, top, exclude)
        else:
            position = {str(lv): j for j, lv in enumerate(scale)}
            index = np.array([position.get(str(lv), -1) for lv in full.levels])
            base = index >= 0
            values = np.where(base, level_scores(scale, table)[np.maximum(index, 0)], 0.0)
            in_top = (index >= len(scale) - top).astype(np.float64)
            sm = _fastpath.scored_means(design, mom, values, base)
            rm = _fastpath.scored_means(design, mom, in_top, base)
            s = _package(
                item,
                "score",
                sm["est"],
                sm["var"],
                design.df,
                sm["n"],
                _safe_div(sm["s2"], sm["n"]),
                (None,),
                None,
                None,
            )
            n = int(sm["n"][0])
            count = int(np.round(np.sum(mom.count.sum(axis=(0, 2))[0, 1:] * (in_top > 0) * base)))
            rate = float(rm["est"][0])
            res = clean_share_variance(
                {
                    "p": np.array([[1.0 - rate, rate]]),
                    "var": np.array([[float(rm["var"][0])] * 2]),
                    "n": np.array([n]),
                    "count": np.array([[n - count, count]]),
                }
            )
            r = _share_estimate(design, f"{item}:top{top}", res, 0, 1, "top%d" % top, None)
        slo, shi = s.ci(level)
        rlo, rhi = r.ci(level)
        rows.append(
            {
                "item": item,
                "score": s.estimate,
                "score_se": s.se,
                "score_ci_low": slo,
                "score_ci_high": shi,
                "base": s.n,
                "score_deff": s.deff,
                "rate": r.estimate,
                "rate_se": r.se,
                "rate_ci_low": rlo,
                "rate_ci_high": rhi,
                "rate_n_eff": r.n_eff,
                "rate_deff": r.deff,
            }
        )
    return pd.DataFrame(rows)
