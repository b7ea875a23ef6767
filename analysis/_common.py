"""Shared pieces of the estimators: safe division, per-group sums, packaging results."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._domains import _domains
from ._intervals import negligible
from ._results import Estimate
from ._results import EstimateSet
from ._weight_block import WeightBlock

_MAX_COVARIANCE_COLUMNS = 400


def _safe_div(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    out = np.full(np.broadcast(a, b).shape, np.nan)
    np.divide(a, b, out=out, where=b != 0)
    return out


def _package(name, kind, est, var, df, n_d, vsrs, levels, by, cov, design_df=None):
    """Estimates of one call; ``df`` per domain (see :func:`domain_df`).

    The design effect is ``var / vsrs`` with ``vsrs`` the with-replacement SRS
    variance from the weighted variance with R's ``n/(n-1)`` (``svyvar``), as
    ``svymean(..., deff="replace")``.  A variance within round-off of zero
    (relative to the estimate's scale) is zero; an empty domain has NaN
    estimate and SE.
    """
    df = np.broadcast_to(np.asarray(df, dtype=np.float64), (len(levels),))
    estimates = []
    for i, level in enumerate(levels):
        v = max(float(var[i]), 0.0)
        scale = max(abs(float(est[i])), float(np.sqrt(max(float(vsrs[i]) * n_d[i], 0.0))))
        if negligible(np.sqrt(v), scale):
            v = 0.0
        if n_d[i] == 0 or not np.isfinite(est[i]):
            v = float("nan")
        deff = float(_safe_div(v, vsrs[i]))
        n_eff = float(_safe_div(n_d[i], deff)) if deff > 0 else float(n_d[i])
        estimates.append(
            Estimate(
                name=name,
                kind=kind,
                estimate=float(est[i]),
                se=float(np.sqrt(v)),
                df=float(df[i]),
                n=int(n_d[i]),
                n_eff=n_eff,
                deff=deff,
                domain=level if by is not None else None,
            )
        )
    if by is None:
        return estimates[0]
    return EstimateSet(name=name, estimates=tuple(estimates), covariance=cov, design_df=design_df)


def _group_sum(codes, values, n_groups, times=None):
    """Per-group sums of ``values`` (times ``times``): one pass, no temporary without groups.

    ``values`` may be a :class:`WeightBlock` (every replicate's weights): then
    the sums of each replicate, shape ``(n_groups, R)``.
    """
    if isinstance(values, WeightBlock):
        return values.group_sum(codes, n_groups, times)
    if n_groups == 1:
        if times is None:
            return np.array([values.sum()])
        return np.array([np.einsum("i,i->", values, times)])  # not BLAS: no thread start-up
    if times is not None:
        values = values * times
    return np.bincount(codes, weights=values, minlength=n_groups)


def _per_row(per_group, codes, n_groups):
    return per_group[0] if n_groups == 1 else per_group[codes]


def estimate_only(design) -> bool:
    """Whether only the estimate is wanted (a replicate's re-run: no linearised variance).

    A design whose weights are a :class:`WeightBlock` is every replicate at once.
    """
    return getattr(design, "estimate_only", False)


@dataclass(frozen=True)
class Available:
    """The rows an estimator uses, as full-length arrays (no row is copied out).

    ``weights`` is zero where a value is missing or the row is in no domain, and
    the values are 0 there instead of NaN, so every sum over all rows is the
    sum over the available ones; ``codes`` is each row's domain (0 outside).
    """

    codes: np.ndarray
    levels: tuple
    weights: np.ndarray
    values: tuple
    n: np.ndarray
    weight_sum: np.ndarray

    @property
    def n_groups(self) -> int:
        return len(self.levels)


_AVAILABLE_CACHE = 4  # rows of the last few (by, arrays) calls, per design and its reweightings


def available(design, by, *arrays) -> Available:
    """Rows with every one of ``arrays`` available (and in a domain of ``by``).

    Which rows are available does not depend on the weights: it is worked out
    once per (``by``, arrays) and kept on the design for its reweighted copies
    (the replicates of a replicate design re-run an estimator on the same
    arrays), so each call only applies the weights.
    """
    rows = _available_rows(design, by, arrays)
    codes, levels, keep, values, n = rows
    D = len(levels)
    if keep is None:
        w0 = design.weights
        if D == 1 and not isinstance(w0, WeightBlock):
            return Available(codes, levels, w0, values, n, np.array([design.weight_sum]))
    else:
        w0 = design.weights * keep  # keep is 1.0 / 0.0: the weight or zero
    return Available(codes, levels, w0, values, n, _group_sum(codes, w0, D))


def _available_rows(design, by, arrays):
    """(codes, levels, keep (float 0/1 or None: all), values with 0 for missing, n per domain)."""
    cache = design._factor_cache.setdefault("__available__", {})
    key = (by, *map(id, arrays))
    hit = cache.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], arrays)):  # same objects, not ids
        return hit[1]
    d, levels = _domains(design, by)
    D = len(levels)
    missing = [bool(np.isnan(a.sum())) for a in arrays]  # one reduction per array
    outside = by is not None and bool(np.any(d < 0))
    if not any(missing) and not outside:
        n = np.bincount(d, minlength=D).astype(np.float64) if D > 1 else np.array([float(design.n)])
        rows = (d, levels, None, arrays, n)
    else:
        ok = d >= 0
        for a, m in zip(arrays, missing):
            if m:
                ok &= ~np.isnan(a)
        values = tuple(np.where(ok, a, 0.0) if m else a for a, m in zip(arrays, missing))
        codes = np.where(ok, d, 0) if outside else d
        n = np.bincount(codes, weights=ok, minlength=D) if D > 1 else np.array([float(ok.sum())])
        rows = (codes, levels, ok.astype(np.float64), values, n)
    if len(cache) >= _AVAILABLE_CACHE:
        cache.pop(next(iter(cache)))
    cache[key] = (arrays, rows)  # the arrays are kept, so their ids cannot be reused
    return rows
