"""Comparisons and models: differences, Rao-Scott chi-square, Cronbach's alpha, key drivers."""

from __future__ import annotations

import math
from dataclasses import dataclass
from dataclasses import field

import numpy as np
import pandas as pd
from scipy import stats

from ._errors import SurveyError
from ._estimators import share_arrays
from ._results import Estimate
from ._results import EstimateSet
from ._scores import Scores
from ._variance import variance


@dataclass(frozen=True)
class Difference(Estimate):
    """A difference of two estimates with its t statistic and two-sided p-value."""

    statistic: float = float("nan")
    p_value: float = float("nan")

    def to_dict(self, level: float = 0.95, method: str | None = None) -> dict:
        out = super().to_dict(level, method)
        out.update(statistic=_num(self.statistic), p_value=_num(self.p_value))
        return out


def _num(x):
    x = float(x)
    return None if math.isnan(x) else x


def difference(
    a: Estimate, b: Estimate, covariance: float = 0.0, df: float | None = None
) -> Difference:
    """Difference ``a - b`` of two estimates with SE, CI (``.ci``) and p-value.

    Parameters
    ----------
    a, b : Estimate
    covariance : float
        Covariance of the two estimates; 0 for independent samples (e.g. two
        survey waves).  For two domains of one design use
        :func:`domain_difference`, which takes it from the estimate set.
    df : float, optional
        Degrees of freedom; default: for independent samples the
        Welch-Satterthwaite value
        :math:`(v_a+v_b)^2/(v_a^2/df_a + v_b^2/df_b)`, otherwise
        :math:`\\min(df_a, df_b)`.

    Returns
    -------
    Difference

    Notes
    -----
    :math:`\\hat\\Delta = \\hat\\theta_a - \\hat\\theta_b`,
    :math:`se = \\sqrt{v_a + v_b - 2c_{ab}}`, :math:`t = \\hat\\Delta/se`,
    p-value :math:`2P(T_{df} > |t|)` (Lumley 2010, sec. 2.4, ``svycontrast``).

    References
    ----------
    Lumley (2010); Satterthwaite, F. E. (1946). An approximate distribution
    of estimates of variance components. *Biometrics Bulletin*, 2, 110-114.
    """
    va, vb = a.se**2, b.se**2
    v = max(va + vb - 2.0 * covariance, 0.0)
    if df is None:
        if covariance == 0.0 and va + vb > 0:
            spread = (va**2 / a.df if a.df > 0 else 0) + (vb**2 / b.df if b.df > 0 else 0)
            df = (va + vb) ** 2 / spread if spread > 0 else np.inf
        else:
            df = min(a.df, b.df)
    se = math.sqrt(v)
    est = a.estimate - b.estimate
    t = est / se if se > 0 else float("nan")
    if se > 0:
        use_t = np.isfinite(df) and df >= 1
        p = float(2 * (stats.t.sf(abs(t), df) if use_t else stats.norm.sf(abs(t))))
    else:
        p = float("nan")
    n = min(a.n, b.n)
    return Difference(
        name=f"{a.name}: {_label(a)} - {_label(b)}",
        kind="difference",
        estimate=est,
        se=se,
        df=float(df),
        n=n,
        n_eff=float("nan"),
        deff=float("nan"),
        statistic=t,
        p_value=p,
    )


def _label(e: Estimate):
    parts = [str(x) for x in (e.domain, e.category) if x is not None]
    return "/".join(parts) if parts else e.name


def domain_difference(estimates: EstimateSet, first, second) -> Difference:
    """Difference between two members of one :class:`EstimateSet` (same design).

    Parameters
    ----------
    estimates : EstimateSet
        Result of ``mean(..., by=)``, ``proportion(...)`` etc.
    first, second
        Labels (domain, category, or ``(domain, category)``) or positions.

    Returns
    -------
    Difference

    Notes
    -----
    :math:`se = \\sqrt{v_1 + v_2 - 2 c_{12}}` with the linearised covariance
    :math:`c_{12}` of the two domain estimates (domains share PSUs, so they
    are not independent); df = the whole design's df (the contrast uses every PSU).

    References
    ----------
    Lumley (2010), sec. 2.3-2.4 (``svyby`` + ``svycontrast``).
    """
    if estimates.covariance is None:
        raise SurveyError("this estimate set carries no covariance matrix")
    i, j = estimates.index(first), estimates.index(second)
    a, b = estimates.estimates[i], estimates.estimates[j]
    df = estimates.design_df if estimates.design_df is not None else min(a.df, b.df)
    return difference(a, b, covariance=float(estimates.covariance[i, j]), df=df)


@dataclass(frozen=True)
class ChisqResult:
    """Rao-Scott corrected test of independence in a weighted two-way table.

    Attributes
    ----------
    statistic : float
        Second-order corrected F statistic (Pearson X^2 / trace(Delta)).
    ndf, ddf : float
        Numerator and denominator degrees of freedom of the F reference.
    p_value : float
    pearson : float
        Pearson X^2 of the weighted table scaled to the sample size.
    chisq_p_value : float
        First-order correction: X^2/mean(eigenvalues) on chi-square((r-1)(c-1)).
    table : pandas.DataFrame
        Estimated population counts.
    """

    statistic: float
    ndf: float
    ddf: float
    p_value: float
    pearson: float
    chisq_p_value: float
    table: pd.DataFrame = field(repr=False)

    def to_dict(self) -> dict:
        return {
            "statistic": self.statistic,
            "ndf": self.ndf,
            "ddf": self.ddf,
            "p_value": self.p_value,
            "pearson": self.pearson,
            "chisq_p_value": self.chisq_p_value,
        }


def chisq_test(design, row: str, col: str) -> ChisqResult:
    """Rao-Scott second-order corrected chi-square test of independence.

    Parameters
    ----------
    design : Design
    row, col : str
        Categorical variables; respondents missing either are left out.

    Returns
    -------
    ChisqResult

    Notes
    -----
    With cell shares :math:`\\hat p` (covariance :math:`\\hat V` by
    linearisation), :math:`C` the interaction contrasts orthogonal to the main
    effects and :math:`D = \\operatorname{diag}(\\hat p)`,
    :math:`\\Delta = (C^\\top D^{-1} C/n)^{-1} C^\\top D^{-1}\\hat V D^{-1} C`.
    The statistic :math:`F = X^2/\\operatorname{tr}\\Delta` is referred to
    :math:`F(d_0, d_0\\,df)` with
    :math:`d_0 = (\\operatorname{tr}\\Delta)^2/\\operatorname{tr}\\Delta^2`,
    as ``svychisq(statistic="F")`` in R's survey package.

    References
    ----------
    Rao, J. N. K., & Scott, A. J. (1984). On chi-squared tests for multiway
    contingency tables with cell proportions estimated from survey data.
    *Annals of Statistics*, 12, 46-60.  Lumley (2010), sec. 6.1.
    """
    fr, fc = design.factor(row), design.factor(col)
    nr, nc = fr.n_levels, fc.n_levels
    if nr < 2 or nc < 2:
        raise SurveyError("a test of independence needs at least two categories in each variable")
    ok = (fr.codes >= 0) & (fc.codes >= 0)
    cells = np.where(ok, fr.codes * nc + fc.codes, -1)
    one_domain = np.zeros(design.n, dtype=np.int64)
    res = share_arrays(design, cells, nr * nc, one_domain, 1, covariance=True)
    p = res["p"][0]
    V = res["cov"]
    n = int(ok.sum())
    table = p.reshape(nr, nc)
    observed = table * n
    expected = np.outer(table.sum(1), table.sum(0)) * n
    with np.errstate(divide="ignore", invalid="ignore"):
        cells_x2 = np.where(expected > 0, (observed - expected) ** 2 / expected, 0.0)
        pearson = float(np.nansum(cells_x2))
    r_idx, c_idx = np.divmod(np.arange(nr * nc), nc)
    main = (
        [np.ones(nr * nc)]
        + [(r_idx == i).astype(float) for i in range(1, nr)]
        + [(c_idx == j).astype(float) for j in range(1, nc)]
    )
    X1 = np.column_stack(main)
    inter = np.column_stack(
        [((r_idx == i) & (c_idx == j)).astype(float) for i in range(1, nr) for j in range(1, nc)]
    )
    C = inter - X1 @ np.linalg.lstsq(X1, inter, rcond=None)[0]
    with np.errstate(divide="ignore"):
        inv_p = np.where(p > 0, 1.0 / p, 0.0)
    CiD = C * inv_p[:, None]
    denom = C.T @ CiD / n
    numer = CiD.T @ V @ CiD
    delta = np.linalg.solve(denom, numer)
    tr = float(np.trace(delta))
    tr2 = float(np.trace(delta @ delta))
    d0 = tr * tr / tr2
    F = pearson / tr
    ddf = d0 * design.df
    p_value = float(stats.f.sf(F, d0, ddf))
    chisq_p = float(stats.chi2.sf(pearson / (tr / delta.shape[0]), delta.shape[0]))
    weighted = pd.DataFrame(
        table * design.weights[ok].sum(), index=list(fr.levels), columns=list(fc.levels)
    )
    return ChisqResult(
        statistic=F,
        ndf=d0,
        ddf=ddf,
        p_value=p_value,
        pearson=pearson,
        chisq_p_value=chisq_p,
        table=weighted,
    )


@dataclass(frozen=True)
class Reliability:
    """Cronbach's alpha of a group of items (``n`` complete respondents, ``k`` items)."""

    alpha: float
    k: int
    n: int

    def to_dict(self) -> dict:
        return {"alpha": self.alpha, "k": self.k, "n": self.n}


def cronbach_alpha(design, items) -> Reliability:
    """Weighted Cronbach's alpha of a Likert group (complete cases).

    Parameters
    ----------
    design : Design
    items : sequence of str
        Numeric item columns (at least two).

    Returns
    -------
    Reliability

    Notes
    -----
    :math:`\\alpha = \\frac{k}{k-1}\\left(1 - \\frac{\\sum_j s_j^2}{s_T^2}\\right)`
    with weighted item variances :math:`s_j^2` and variance :math:`s_T^2` of the
    sum score (weights normalised to sum to one).

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of
    tests. *Psychometrika*, 16, 297-334.
    """
    items = list(items)
    if len(items) < 2:
        raise SurveyError("Cronbach's alpha needs at least two items")
    Y = np.column_stack([design.numeric(i) for i in items])
    ok = ~np.isnan(Y).any(axis=1)
    Y = Y[ok]
    w = design.weights[ok]
    if Y.shape[0] < 2:
        raise SurveyError("fewer than two complete respondents")
    w = w / w.sum()
    centred = Y - w @ Y
    S = (centred * w[:, None]).T @ centred
    k = len(items)
    alpha = k / (k - 1) * (1 - np.trace(S) / S.sum())
    return Reliability(alpha=float(alpha), k=k, n=int(ok.sum()))


@dataclass(frozen=True)
class KeyDrivers:
    """Key-driver regression result.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per driver: ``coef, se, t, p_value, std_coef, rank``
        (rank 1 = largest absolute standardised coefficient).
    intercept : float
    r_squared : float
        Weighted R^2.
    n : int
        Complete respondents used.
    df : float
        Residual design degrees of freedom (PSUs - strata - p + 1).
    se_method : str
        How standard errors were computed.
    """

    table: pd.DataFrame
    intercept: float
    r_squared: float
    n: int
    df: float
    se_method: str

    def to_dict(self) -> dict:
        return {
            "drivers": self.table.to_dict(orient="records"),
            "intercept": self.intercept,
            "r_squared": self.r_squared,
            "n": self.n,
            "df": self.df,
            "se_method": self.se_method,
        }


def key_drivers(design, outcome: str, drivers) -> KeyDrivers:
    """Weighted regression of overall satisfaction on aspect scores.

    The coefficients come from statsmodels ``WLS`` with the survey weights;
    the standard errors are **design-based** (Taylor linearisation of the
    estimating equations over strata and PSUs, including any calibration),
    the sandwich used by R's ``svyglm``.

    Parameters
    ----------
    design : Design
    outcome : str
        Overall satisfaction (numeric).
    drivers : sequence of str
        Aspect scores (numeric); complete cases are used.

    Returns
    -------
    KeyDrivers

    Notes
    -----
    :math:`\\hat V(\\hat\\beta) = A^{-1}\\hat V\\{\\sum_i w_i x_i e_i\\}A^{-1}`,
    :math:`A = \\sum_i w_i x_i x_i^\\top` (Binder 1983).  Importance: the
    standardised coefficient :math:`\\hat\\beta_j s_{x_j}/s_y` (weighted SDs).

    References
    ----------
    Binder (1983); Lumley (2010), ch. 5.
    """
    import statsmodels.api as sm

    drivers = list(drivers)
    y = design.numeric(outcome)
    X = np.column_stack([design.numeric(d) for d in drivers])
    ok = ~np.isnan(y) & ~np.isnan(X).any(axis=1)
    if ok.sum() <= len(drivers) + 1:
        raise SurveyError("too few complete respondents for the regression")
    w = design.weights
    Xc = np.column_stack([np.ones(int(ok.sum())), X[ok]])
    fit = sm.WLS(y[ok], Xc, weights=w[ok]).fit()
    beta = np.asarray(fit.params)
    resid = y[ok] - Xc @ beta
    dense = np.zeros((design.n, Xc.shape[1]))
    dense[ok] = Xc * (w[ok] * resid)[:, None]
    bread = np.linalg.inv((Xc * w[ok][:, None]).T @ Xc)
    meat = variance(design, Scores(Xc.shape[1], dense=dense), covariance=True)
    cov = bread @ meat @ bread
    se = np.sqrt(np.maximum(np.diag(cov), 0.0))
    df = design.df - Xc.shape[1] + 1
    tvals = beta / se
    pvals = 2 * stats.t.sf(np.abs(tvals), max(df, 1))
    wk = w[ok] / w[ok].sum()
    sd_x = np.sqrt(wk @ (X[ok] - wk @ X[ok]) ** 2)
    sd_y = math.sqrt(float(wk @ (y[ok] - wk @ y[ok]) ** 2))
    std = beta[1:] * sd_x / sd_y
    order = np.argsort(-np.abs(std))
    rank = np.empty(len(drivers), dtype=int)
    rank[order] = np.arange(1, len(drivers) + 1)
    table = pd.DataFrame(
        {
            "driver": drivers,
            "coef": beta[1:],
            "se": se[1:],
            "t": tvals[1:],
            "p_value": pvals[1:],
            "std_coef": std,
            "rank": rank,
        }
    )
    r2 = 1 - float(wk @ resid**2) / (sd_y**2)
    return KeyDrivers(
        table=table,
        intercept=float(beta[0]),
        r_squared=r2,
        n=int(ok.sum()),
        df=float(df),
        se_method="design-based linearisation (svyglm sandwich)",
    )
