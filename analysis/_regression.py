"""Design-based generalised linear models (R's ``svyglm``): linear and logistic regression."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field

import numpy as np
import pandas as pd
from scipy import special
from scipy import stats

from ._data import column
from ._domains import mask_df
from ._errors import DesignError
from ._errors import SurveyError
from ._model_rows import ModelRows
from ._model_rows import factor_cells
from ._model_rows import full_rank
from ._scores import Scores
from ._variance import variance

FAMILIES = ("gaussian", "quasibinomial")
_EPSILON = 1e-8  # glm.control(epsilon) in R
_MAX_ITER = 25


@dataclass(frozen=True)
class Regression:
    """A fitted design-based regression (``svyglm``).

    Attributes
    ----------
    terms : tuple of str
        Column names of the model matrix in R's naming: ``"(Intercept)"``,
        a numeric predictor's name, ``name + level`` for a factor level
        (treatment contrasts against the reference level).
    coef : ndarray
    covariance : ndarray
        Design-based (sandwich) covariance of ``coef``.
    df : float
        Residual degrees of freedom: design df minus the number of
        coefficients plus one, as ``svyglm``'s ``df.residual``.
    n : int
        Complete respondents used.
    family : str
    outcome : str
    reference : dict
        The reference level of each factor.
    """

    terms: tuple
    coef: np.ndarray
    covariance: np.ndarray = field(repr=False)
    df: float
    n: int
    family: str
    outcome: str
    reference: dict

    @property
    def se(self) -> np.ndarray:
        return np.sqrt(np.maximum(np.diag(self.covariance), 0.0))

    def table(self, level: float = 0.95) -> pd.DataFrame:
        """Coefficients with SE, t, p-value and Wald interval (``confint.svyglm``).

        For the quasibinomial family the odds ratios ``exp(coef)`` and their
        interval ends ``exp(ci)`` are added (``or``, ``or_low``, ``or_high``).
        """
        if not 0 < level < 1:
            raise ValueError(f"level must be in (0, 1), got {level!r}")
        se = self.se
        with np.errstate(divide="ignore", invalid="ignore"):
            t = self.coef / se
        df = self.df if self.df > 0 else np.nan
        crit = stats.t.isf((1 - level) / 2, df)
        out = pd.DataFrame(
            {
                "term": self.terms,
                "coef": self.coef,
                "se": se,
                "t": t,
                "p_value": 2 * stats.t.sf(np.abs(t), df),
                "ci_low": self.coef - crit * se,
                "ci_high": self.coef + crit * se,
            }
        )
        if self.family == "quasibinomial":
            out["or"] = np.exp(out["coef"])
            out["or_low"] = np.exp(out["ci_low"])
            out["or_high"] = np.exp(out["ci_high"])
        return out

    def to_dict(self, level: float = 0.95) -> dict:
        return {
            "outcome": self.outcome,
            "family": self.family,
            "df": self.df,
            "n": self.n,
            "reference": {k: _plain(v) for k, v in self.reference.items()},
            "coefficients": self.table(level).to_dict(orient="records"),
        }


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def model_matrix(design, predictors, factors: Mapping | None = None, rows=None):
    """Model matrix of ``predictors`` with R's treatment contrasts.

    A predictor is a factor when its column is not numeric or when it is a
    key of ``factors`` (value: the reference level, or None for the first
    level).  Levels are sorted as R sorts a character column; the reference
    level gets no column.

    ``rows`` (an index array) builds the matrix of those rows only.

    Returns
    -------
    (X, terms, complete, reference)
        ``X`` of shape (n, p) with an intercept column, term names, the mask
        of rows without a missing predictor, and the reference levels.
    """
    factors = dict(factors or {})
    n = design.n if rows is None else len(rows)
    pick = slice(None) if rows is None else rows
    columns = [np.ones(n)]
    terms = ["(Intercept)"]
    complete = np.ones(n, dtype=bool)
    reference = {}
    dummies = []  # (first column, codes, reference code) of each factor
    for name in predictors:
        raw = column(design.data, name)
        if name not in factors and pd.api.types.is_numeric_dtype(raw):
            x = design.numeric(name)[pick]
            complete &= ~np.isnan(x)
            columns.append(np.nan_to_num(x))
            terms.append(name)
            continue
        f = design.factor(name)
        codes = f.codes[pick]
        complete &= codes >= 0
        ref = factors.get(name)
        if ref is None:
            ref_code = 0
        else:
            labels = [str(level) for level in f.levels]
            if str(ref) not in labels:
                raise SurveyError(f"reference level {ref!r} is not a category of {name!r}")
            ref_code = labels.index(str(ref))
        reference[name] = f.levels[ref_code]
        dummies.append((len(terms), codes, ref_code))
        columns.extend([None] * (f.n_levels - 1))
        terms.extend(f"{name}{level}" for code, level in enumerate(f.levels) if code != ref_code)
    X = np.zeros((n, len(terms)))
    for j, values in enumerate(columns):
        if values is not None:
            X[:, j] = values
    index = np.arange(n)
    for first, codes, ref_code in dummies:
        # one scatter per factor: the row's level column (after the reference) gets a 1
        col = first + codes - (codes > ref_code)
        hit = (codes >= 0) & (codes != ref_code)
        X[index[hit], col[hit]] = 1.0
    return X, tuple(terms), complete, reference


def _outcome(design, outcome, positive, family):
    if positive is not None:
        f = design.factor(outcome)
        labels = [str(level) for level in f.levels]
        if str(positive) not in labels:
            raise SurveyError(f"{positive!r} is not a category of the outcome {outcome!r}")
        y = (f.codes == labels.index(str(positive))).astype(np.float64)
        y[f.codes < 0] = np.nan
        return y
    raw = column(design.data, outcome)
    if not pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        raise DesignError(f"outcome {outcome!r} is not numeric; name its positive category")
    y = design.numeric(outcome)
    if family == "quasibinomial" and np.any((y[~np.isnan(y)] < 0) | (y[~np.isnan(y)] > 1)):
        raise SurveyError(f"a logistic outcome must lie in [0, 1]; {outcome!r} does not")
    return y


def _irls(X, y, prior, family):
    """Iteratively reweighted least squares exactly as R's ``glm.fit`` (``X``: :class:`ModelRows`).

    Returns the coefficients, the working weights and working residuals that
    R keeps (the weights of the last iteration, computed before its update),
    as ``svyglm``'s sandwich uses them, and :math:`X^\\top W X` with those
    weights (the inverse of the sandwich's bread).
    """
    if family == "gaussian":
        eta = y.copy()
    else:
        eta = np.log((prior * y + 0.5) / (prior + 1) / (1 - (prior * y + 0.5) / (prior + 1)))
    mu = _inv(eta, family)
    saturated = _saturated(y, family)
    dev_old = _deviance(y, mu, prior, family, saturated)
    beta = gram = None
    for _ in range(_MAX_ITER):
        mu_eta = _mu_eta(eta, mu, family)
        var = np.ones_like(mu) if family == "gaussian" else mu * (1 - mu)
        z = eta + (y - mu) / mu_eta
        wt = prior * mu_eta**2 / var
        beta, gram = X.weighted_least_squares(z, wt)
        eta = X.linear(beta)
        mu = _inv(eta, family)
        dev = _deviance(y, mu, prior, family, saturated)
        if abs(dev - dev_old) / (abs(dev) + 0.1) < _EPSILON:
            break
        dev_old = dev
    else:
        raise SurveyError("the logistic regression did not converge (separated outcome?)")
    resid = (y - mu) / _mu_eta(eta, mu, family)
    return beta, wt, resid, gram


def _inv(eta, family):
    return eta if family == "gaussian" else 1.0 / (1.0 + np.exp(-eta))


def _mu_eta(eta, mu, family):
    return np.ones_like(eta) if family == "gaussian" else np.maximum(mu * (1 - mu), 2.2e-16)


def _saturated(y, family):
    """:math:`y\\log y + (1-y)\\log(1-y)` (0 at 0 and 1), the deviance's part free of ``mu``."""
    if family == "gaussian":
        return None
    return special.xlogy(y, y) + special.xlogy(1 - y, 1 - y)


def _deviance(y, mu, prior, family, saturated):
    """R's ``dev.resids`` summed; binomial: :math:`2\\sum_i p_i\\{y_i\\log(y_i/\\mu_i) + (1-y_i)\\log((1-y_i)/(1-\\mu_i))\\}`."""
    if family == "gaussian":
        return float(np.sum(prior * (y - mu) ** 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = saturated - y * np.log(mu) - (1 - y) * np.log1p(-mu)
    if not np.isfinite(terms).all():  # mu of 0 or 1 where y is too: 0 log 0 = 0
        terms = saturated - special.xlogy(y, mu) - special.xlogy(1 - y, 1 - mu)
    return float(2 * np.dot(prior, terms))


def regression(
    design,
    outcome: str,
    predictors,
    family: str = "gaussian",
    factors: Mapping | None = None,
    positive=None,
    subset: tuple | None = None,
) -> Regression:
    """Design-based linear or logistic regression (R's ``svyglm``).

    Parameters
    ----------
    design : Design
    outcome : str
        Outcome column: numeric (gaussian), 0/1 (quasibinomial), or
        categorical with ``positive`` naming the category coded 1.
    predictors : sequence of str
        Numeric predictors, and factors (text columns, or keys of
        ``factors``) entered with treatment contrasts.
    family : {"gaussian", "quasibinomial"}
        Linear regression, or logistic regression with estimated dispersion
        (``family=quasibinomial()``: the logit link without the binomial
        variance assumption, as survey data need).
    factors : mapping, optional
        ``{column: reference level or None}``: columns to treat as factors
        and their reference level (default: the first level).
    positive : optional
        The outcome category coded 1 (e.g. ``"Yes"``).
    subset : (str, object), optional
        ``(column, category)``: fit within one domain (R's ``svyglm(...,
        design=subset(design, column == category))``): the rest of the sample
        contributes zero to the estimating equations but keeps its PSUs in
        the variance; df are the domain's.

    Returns
    -------
    Regression
        Coefficients, design-based covariance, residual df; ``table(level)``
        gives SEs, t, p-values, intervals and (logistic) odds ratios.

    Notes
    -----
    As ``svyglm``: the GLM is fitted by iteratively reweighted least squares
    (R's ``glm.fit``: same starting values and convergence test) with the
    weights rescaled to mean 1.  With the working weights :math:`W`,
    :math:`A = (X^\\top W X)^{-1}` and estimating functions
    :math:`U_i = x_i W_i r_i` (working residuals :math:`r_i`), the covariance
    is the sandwich

    .. math:: \\hat V(\\hat\\beta) = A\\,\\hat V\\Big(\\sum_i U_i\\Big)A,

    where :math:`\\hat V(\\sum U_i)` is the design variance of the totals
    (strata, PSUs, fpc, calibration) of Binder (1983).  Residual df: design
    df (of the complete cases' PSUs and strata) + 1 − number of
    coefficients.  Intervals are :math:`\\hat\\beta \\pm t_{df}\\,se`
    (``confint.svyglm``), odds ratios :math:`e^{\\hat\\beta}` with
    :math:`e^{\\text{ends}}`.  Rows with a missing outcome or predictor are
    left out; rank-deficient designs raise :class:`SurveyError`.

    References
    ----------
    Binder, D. A. (1983). *International Statistical Review*, 51, 279-292.
    Lumley, T. (2010). *Complex Surveys*, ch. 5-6.  Lumley, T., & Scott, A.
    (2017). Fitting regression models to survey data. *Statistical Science*,
    32, 265-278.
    """
    if family not in FAMILIES:
        raise SurveyError(f"family must be one of {FAMILIES}, got {family!r}")
    predictors = list(predictors)
    y = _outcome(design, outcome, positive, family)
    w = design.weights
    ok = ~np.isnan(y) & (w > 0)
    for name in predictors:  # complete cases
        if name not in (factors or {}) and pd.api.types.is_numeric_dtype(column(design.data, name)):
            ok &= ~np.isnan(design.numeric(name))
        else:
            ok &= design.factor(name).codes >= 0
    rows = np.ones(design.n, dtype=bool)  # R rescales the weights over the (subset) design's rows
    if subset is not None:
        name, category = subset
        f = design.factor(name)
        labels = [str(level) for level in f.levels]
        if str(category) not in labels:
            raise SurveyError(f"{category!r} is not a category of {name!r}")
        rows = f.codes == labels.index(str(category))
        ok &= rows
    n = int(ok.sum())
    whole = n == design.n
    cells = factor_cells(design, predictors, factors, ok)
    if cells is None:
        X, terms, _, reference = model_matrix(design, predictors, factors)
        Xk = ModelRows(X if whole else X[ok])
    else:
        cell, first_rows = cells
        X, terms, _, reference = model_matrix(design, predictors, factors, rows=first_rows)
        Xk = ModelRows(X, cell if whole else cell[ok])
    if n <= Xk.n_terms:
        raise SurveyError(f"too few complete respondents to regress {outcome!r}")
    if not full_rank(Xk.distinct()):
        raise SurveyError(
            f"the predictors of {outcome!r} are collinear among the complete respondents: "
            f"{', '.join(predictors)}"
        )
    prior = (w if whole else w[ok]) / w[rows].mean()
    beta, wt, resid, gram = _irls(Xk, y if whole else y[ok], prior, family)
    bread = np.linalg.inv(gram)
    if whole:
        dense = Xk.linear(bread) * (wt * resid)[:, None]
    else:
        dense = np.zeros((design.n, Xk.n_terms))
        dense[ok] = Xk.linear(bread) * (wt * resid)[:, None]
    cov = variance(design, Scores(Xk.n_terms, dense=dense), covariance=True)
    df = mask_df(design, ok) + 1 - Xk.n_terms
    return Regression(
        terms=terms,
        coef=np.asarray(beta),
        covariance=cov,
        df=float(df),
        n=n,
        family=family,
        outcome=outcome,
        reference=reference,
    )
