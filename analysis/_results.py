"""Result objects: one :class:`Estimate`, or an :class:`EstimateSet` of several."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import numpy as np
import pandas as pd

from ._intervals import proportion_interval
from ._intervals import t_interval
from ._reliability import estimate_flags
from ._reliability import share_flags


@dataclass(frozen=True)
class Estimate:
    """A design-based point estimate with its linearised standard error.

    Attributes
    ----------
    name : str
        The variable (or expression) estimated.
    kind : str
        ``"mean"``, ``"total"``, ``"proportion"``, ``"ratio"``, ``"score"``,
        ``"index"`` or ``"difference"``.
    estimate : float
    se : float
        Taylor-linearised standard error.
    df : float
        Degrees of freedom used for t intervals: the design's PSUs minus
        strata, or for a domain estimate the domain's own (R's ``degf`` of the
        domain's subset, as ``svyby``).
    n : int
        Unweighted number of respondents used (available cases; for a share,
        the base of the share).
    n_eff : float
        Effective sample size: ``p(1-p)/se**2`` for shares, ``n/deff`` otherwise.
    deff : float
        Design effect: variance over the variance of a simple random sample of
        the same size (with replacement), Kish (1965).
    category : object, optional
        The category of a share.
    domain : object, optional
        The domain (``by`` level) of a domain estimate.
    count : int, optional
        For shares: unweighted number of respondents in the category.
    unweighted : bool
        True when the design is an unweighted simple random sample; then
        ``"wilson"`` and ``"clopper-pearson"`` intervals use the raw counts.

    Notes
    -----
    ``ci(level)`` is a Student-t interval with ``df`` degrees of freedom for
    means, totals, ratios and differences, and by default the logit interval
    for shares (see :func:`analysis.proportion`).  ``flags`` and ``reliable``
    say whether the estimate meets the NCHS presentation standards
    (:mod:`analysis._reliability`).
    """

    name: str
    kind: str
    estimate: float
    se: float
    df: float
    n: int
    n_eff: float
    deff: float
    category: Any = None
    domain: Any = None
    count: int | None = None
    unweighted: bool = False

    @property
    def variance(self) -> float:
        return self.se**2

    @property
    def flags(self) -> tuple[str, ...]:
        """Reasons the estimate falls short of the NCHS presentation standards (empty: none).

        Shares follow the standards for proportions (effective n < 30, df < 8,
        Korn-Graubard CI width >= 30 points, relative CI width > 130%); other
        estimates a relative SE above 30% and df < 8.  See
        :mod:`analysis._reliability`.
        """
        if self.kind == "proportion":
            return share_flags(self.estimate, self.se, self.n, self.df)[0]
        return estimate_flags(self.estimate, self.se, self.df, self.kind)[0]

    @property
    def reliable(self) -> bool:
        """True when the estimate has no reliability flag (fit to cite)."""
        return not self.flags

    def ci(self, level: float = 0.95, method: str | None = None) -> tuple[float, float]:
        """Confidence interval ``(low, high)``.

        Parameters
        ----------
        level : float
            Confidence level, e.g. 0.95.
        method : str, optional
            For shares: ``"logit"`` (default), ``"korn-graubard"`` (alias
            ``"beta"``), ``"wilson"``, ``"clopper-pearson"`` or ``"wald"``.
            Other estimates accept only ``None``/``"t"`` (t interval).
        """
        if self.kind == "proportion":
            return proportion_interval(
                self.estimate,
                self.se,
                self.df,
                self.n,
                self.n_eff,
                self.count,
                self.unweighted,
                level,
                method or "logit",
            )
        if method not in (None, "t", "wald"):
            raise ValueError(f"method {method!r} applies to shares only")
        return t_interval(self.estimate, self.se, self.df, level)

    def to_dict(self, level: float = 0.95, method: str | None = None) -> dict:
        """JSON-ready dictionary including the interval at ``level``."""
        low, high = self.ci(level, method)
        out = {
            "name": self.name,
            "kind": self.kind,
            "category": _jsonable(self.category),
            "domain": _jsonable(self.domain),
            "estimate": _num(self.estimate),
            "se": _num(self.se),
            "df": _num(self.df),
            "n": int(self.n),
            "n_eff": _num(self.n_eff),
            "deff": _num(self.deff),
            "ci_level": level,
            "ci_low": _num(low),
            "ci_high": _num(high),
        }
        if self.count is not None:
            out["count"] = int(self.count)
        out["flags"] = list(self.flags)
        out["reliable"] = self.reliable
        return out


@dataclass(frozen=True)
class EstimateSet:
    """Several estimates from one call (categories of a share, domains of a mean).

    Index it by position, by category / domain label, or by a
    ``(domain, category)`` tuple.  ``covariance`` is the linearised covariance
    matrix of the estimates in order (used by :func:`analysis.difference`);
    ``design_df`` the whole design's df (each domain estimate carries its own).
    """

    name: str
    estimates: tuple
    covariance: np.ndarray | None = field(default=None, repr=False, compare=False)
    design_df: float | None = None

    def __iter__(self) -> Iterator[Estimate]:
        return iter(self.estimates)

    def __len__(self) -> int:
        return len(self.estimates)

    def index(self, key) -> int:
        """Position of the estimate for ``key``: a label, ``(domain, category)``, or a position.

        Labels win: with integer domain codes (district 1..4), ``1`` means district 1, not the
        second estimate. An integer that is no label is taken as a position.
        """
        for i, est in enumerate(self.estimates):
            if isinstance(key, tuple) and len(key) == 2 and (est.domain, est.category) == key:
                return i
            if est.category is None and _same(est.domain, key):
                return i
            if est.domain is None and _same(est.category, key):
                return i
        by_domain = [i for i, e in enumerate(self.estimates) if _same(e.domain, key)]
        if len(by_domain) == 1:  # one category per domain (e.g. satisfaction rates)
            return by_domain[0]
        if isinstance(key, (int, np.integer)) and not isinstance(key, bool):
            if not -len(self.estimates) <= key < len(self.estimates):
                raise KeyError(key)
            return int(key) % len(self.estimates)
        raise KeyError(key)

    def __getitem__(self, key) -> Estimate:
        return self.estimates[self.index(key)]

    def to_dict(self, level: float = 0.95, method: str | None = None) -> dict:
        return {"name": self.name, "estimates": [e.to_dict(level, method) for e in self.estimates]}

    def to_frame(self, level: float = 0.95, method: str | None = None) -> pd.DataFrame:
        return pd.DataFrame([e.to_dict(level, method) for e in self.estimates])


def _same(a, b) -> bool:
    return a == b or str(a) == str(b)


def _num(x) -> float | None:
    x = float(x)
    return None if math.isnan(x) else x


def _jsonable(value):
    if isinstance(value, np.generic):
        return value.item()
    return value
