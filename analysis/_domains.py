"""Domains (``by=``): the integer code of each row's domain and each domain's degrees of freedom."""

from __future__ import annotations

import numpy as np


def _domains(design, by):
    if by is None:
        zeros = design._factor_cache.get("__no_domains__")
        if zeros is None:
            zeros = np.zeros(design.n, dtype=np.int64)
            zeros.setflags(write=False)
            design._factor_cache["__no_domains__"] = zeros
        return zeros, (None,)
    f = design.factor(by)
    return f.codes, f.levels


def domain_df(design, by) -> np.ndarray:
    """Degrees of freedom of each domain: its PSUs minus its strata (R's ``degf`` of the subset).

    Notes
    -----
    ``svyby(..., svyciprop)`` computes each domain's interval on the subset
    design, whose ``degf`` counts only the PSUs and strata holding members of
    the domain.  A domain reached through few PSUs has few degrees of freedom
    even in a large design; using the whole design's df there gives intervals
    that cover far less than their level.  Without ``by``: the design's df.
    """
    if by is None:
        return np.array([design.df])
    key = ("__domain_df__", by)  # free of the weights: shared by reweighted copies
    cached = design._factor_cache.get(key)
    if cached is not None:
        return cached
    d, levels = _domains(design, by)
    D = len(levels)
    ok = d >= 0
    if design._row_of_psu is not None:
        n_psu = np.bincount(d[ok], minlength=D)
    else:
        n_psu = _distinct_pairs(design.psu[ok], design.n_psu, d[ok], D)
    n_strata = _distinct_pairs(design.stratum[ok], design.n_strata, d[ok], D)
    cached = (n_psu - n_strata).astype(np.float64)
    design._factor_cache[key] = cached
    return cached


def domain_masks(design, by: str | None, available: np.ndarray):
    """Yield ``(label, mask)`` per domain (``label`` None without ``by``).

    ``mask`` selects the rows of the domain that are ``available`` (non-missing)
    and have a positive weight -- the rows R keeps in ``subset(design, ...)``.
    """
    usable = available & (design.weights > 0)
    if by is None:
        yield None, usable
        return
    f = design.factor(by)
    for code, label in enumerate(f.levels):
        yield label, usable & (f.codes == code)


def mask_df(design, mask: np.ndarray) -> float:
    """Degrees of freedom of a domain as R's ``degf(subset(design, ...))``.

    Notes
    -----
    The number of PSUs holding at least one member of the domain minus the
    number of strata holding at least one (survey 4.x ``degf.survey.design2``
    on a subset design).
    """
    if not mask.any():
        return float("nan")
    psus = np.count_nonzero(np.bincount(design.psu[mask], minlength=design.n_psu))
    strata = np.count_nonzero(np.bincount(design.stratum[mask], minlength=design.n_strata))
    return float(psus - strata)


def _distinct_pairs(codes, n_codes, d, D):
    """Per domain ``0..D-1``: how many distinct ``codes`` (``0..n_codes-1``) its rows have.

    Counted by a bincount over (code, domain) pairs, no sorting, unless the pairs would need
    a table larger than the rows: then by :func:`numpy.unique`.
    """
    pairs = codes * D + d
    if n_codes * D <= max(4 * pairs.size, 1024):
        seen = np.bincount(pairs, minlength=n_codes * D) > 0
        return np.bincount(np.flatnonzero(seen) % D, minlength=D)
    return np.bincount(np.unique(pairs) % D, minlength=D)


def numeric_column(design, variable: str) -> np.ndarray:
    """The numeric column ``variable`` (:class:`VariableError` naming it when it is text)."""
    return design.numeric(variable)
