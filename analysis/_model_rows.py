"""Model matrices of factor predictors by cells: the rows that share a row of ``X``.

Shared by regression (IRLS steps) and calibration (Newton steps on the
cells of the auxiliaries).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import linalg

from ._calibration import cell_codes
from ._data import column


class ModelRows:
    """The model matrix of the fitted rows: ``X`` itself, or its distinct rows and each row's one.

    When every predictor is a factor, ``X`` has one distinct row per occupied
    cell of the factors (``cell``: each row's); then :math:`X^\\top W X` and
    :math:`X^\\top W z` are sums over the cells of per-cell sums of the
    weights (one bincount each) and :math:`X\\beta` is a gather, so an IRLS
    step costs a few passes over the rows whatever the number of terms.
    """

    def __init__(self, X, cell=None):
        self.X = X
        self.cell = cell

    @property
    def n_terms(self) -> int:
        return self.X.shape[1]

    def linear(self, beta) -> np.ndarray:
        """:math:`X\\beta` per row (``beta`` a vector, or a matrix: one column per vector)."""
        eta = self.X @ beta
        return eta if self.cell is None else eta[self.cell]

    def _cell_sums(self, values) -> np.ndarray:
        return np.bincount(self.cell, weights=values, minlength=self.X.shape[0])

    def distinct(self) -> np.ndarray:
        """The distinct rows of ``X`` (its rank is that of the full matrix)."""
        if self.cell is None:
            return self.X
        return self.X[np.bincount(self.cell, minlength=self.X.shape[0]) > 0]

    def weighted_least_squares(self, z, wt):
        """Weighted least-squares coefficients (R's ``Cdqrls`` step of ``glm.fit``) and ``X'WX``.

        Solved from the normal equations with the columns scaled to unit
        norm (Cholesky), which for a full-rank model matrix agrees with a QR
        solution to round-off; a Gram matrix that is not numerically
        positive definite falls back to least squares.
        """
        if self.cell is None:
            a = self.X * np.sqrt(wt)[:, None]
            target = z * np.sqrt(wt)
            rhs = a.T @ target
        else:
            cw = self._cell_sums(wt)
            a = self.X * np.sqrt(cw)[:, None]
            wz = self._cell_sums(wt * z)
            rhs = self.X.T @ wz
            target = np.where(cw > 0, wz / np.sqrt(np.where(cw > 0, cw, 1.0)), 0.0)
        gram = a.T @ a  # symmetric rank-k update
        d = np.sqrt(np.diag(gram))
        d = np.where(d > 0, d, 1.0)
        try:
            factor = linalg.cho_factor(gram / np.outer(d, d))
        except linalg.LinAlgError:
            return np.linalg.lstsq(a, target, rcond=None)[0], gram
        return linalg.cho_solve(factor, rhs / d) / d, gram


def factor_cells(design, predictors, factors=None, rows=None):
    """Each row's cell of the factor ``predictors`` and a row of each occupied cell.

    Returns ``(cell, first_rows)`` -- ``cell`` numbers the occupied cells
    ``0..len(first_rows)-1`` -- or None when a predictor is numeric (then
    the model matrix has as many distinct rows as the data).  Only the rows
    selected by the boolean mask ``rows`` (default: all) are placed in cells;
    the others get an arbitrary cell.
    """
    factors = factors or {}
    found = []
    for name in predictors:
        if name not in factors and pd.api.types.is_numeric_dtype(column(design.data, name)):
            return None
        found.append(design.factor(name))
    codes = [np.maximum(f.codes, 0) for f in found]  # a missing code: the row is not used
    cell, n_cells, _ = cell_codes(codes, [f.n_levels for f in found])
    index = np.arange(design.n) if rows is None else np.flatnonzero(rows)
    first = np.full(n_cells, -1, dtype=np.int64)
    first[cell[index[::-1]]] = index[::-1]
    occupied = first >= 0
    compact = np.cumsum(occupied) - 1
    return compact[cell], first[occupied]


def full_rank(X) -> bool:
    """Whether ``X`` has full column rank (``numpy.linalg.matrix_rank``'s rule).

    Screened on the Gram matrix, whose eigenvalues are the squared singular
    values: a ratio far above round-off proves full rank without the SVD of
    ``X``; otherwise the SVD of ``X`` decides, as before.
    """
    eig = np.linalg.eigvalsh(X.T @ X)
    if eig[0] > 1e-8 * eig[-1]:
        return True
    return np.linalg.matrix_rank(X) == X.shape[1]
