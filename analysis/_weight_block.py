"""The weights of every replicate at once, for estimators linear in the weights.

A :class:`WeightBlock` stands for the n x R matrix of replicate weights
:math:`w_{ir} = b_i a_{r,j(i)}` (a row factor :math:`b_i`, e.g. the
full-sample weight times an availability indicator, and the factor of the
respondent's PSU :math:`j(i)` in replicate :math:`r`) without storing it.
The estimate-only path of :func:`analysis._estimators.mean_of_values`,
:func:`~analysis._estimators.total` and :func:`~analysis._estimators.ratio`
takes it in place of the weight vector: the same formula, whose only use of
the weights is per-domain sums :math:`\\sum_i w_{ir} I_d(i) v_i`, gives all R
estimates, and each such sum is computed as

.. math::

    \\sum_j a_{rj} \\sum_{i \\in j} b_i I_d(i) v_i,

PSU-by-domain totals times the factor matrix (one pass over the rows and a
small matrix product) -- the same sums, added in another order.  With
uncompressed replicate weights (one row per respondent) the "PSU" of a row
is the row itself.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse


class WeightBlock:
    """Replicate weights ``base[i] * factors[index[i], r]`` for every replicate ``r``.

    Parameters
    ----------
    base : ndarray, shape (n,), or None
        Row factor (None: 1).
    factors : ndarray, shape (m, R)
        Per-PSU factors (``index`` given) or per-row weights (``index`` None, m = n).
    index : ndarray of int, shape (n,), or None
        Each row's row of ``factors``.
    """

    def __init__(self, base, factors: np.ndarray, index=None):
        self.base = base
        self.factors = factors
        self.index = index

    @property
    def n_replicates(self) -> int:
        return self.factors.shape[1]

    def __mul__(self, other: np.ndarray) -> WeightBlock:
        """The block with row factor ``base * other`` (``other`` a vector over the rows)."""
        base = other if self.base is None else self.base * other
        return WeightBlock(base, self.factors, self.index)

    __rmul__ = __mul__

    def sum(self) -> np.ndarray:
        """Sum of each replicate's weights, shape (R,)."""
        return self.group_sum(None, 1)[0]

    def group_sum(self, codes, n_groups: int, times=None) -> np.ndarray:
        """Per-group sums of each replicate's weights (times ``times``), shape (n_groups, R)."""
        v = self.base if times is None else (times if self.base is None else self.base * times)
        n = self.factors.shape[0] if self.index is None else self.index.size
        if v is None:
            v = np.ones(n)
        if self.index is None:  # one row of weights per respondent
            if n_groups == 1:
                return np.einsum("i,ir->r", v, self.factors)[None, :]
            groups = sparse.csr_matrix((v, (codes, np.arange(n))), shape=(n_groups, n))
            return np.asarray(groups @ self.factors)
        m = self.factors.shape[0]
        if n_groups == 1:
            totals = np.bincount(self.index, weights=v, minlength=m)[:, None]
        else:
            cell = self.index * n_groups + codes
            totals = np.bincount(cell, weights=v, minlength=m * n_groups).reshape(m, n_groups)
        return totals.T @ self.factors


def takes_weight_block(fn):
    """Mark estimator ``fn`` as taking a :class:`WeightBlock` of weights.

    On a design whose weights are a block, its estimate-only path returns
    every replicate's estimates, shape (domains, R) (:func:`analysis._replicates.run`).
    """
    fn.takes_weight_block = True
    return fn
