"""Python ML idioms: squared Euclidean distances between two sets of points, as a loop and vectorized.

Backs the page `docs/career/python-ml-stack.md` and its notebook `docs/career/notebooks/python_ml_idioms.py`.
NumPy only, so a downloaded notebook can inline this file.
"""

from __future__ import annotations

import numpy as np


def _as_points(name: str, a) -> np.ndarray:
    a = np.asarray(a, dtype=float)
    if a.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array of shape (n_points, n_features), got {a.ndim}-D")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must contain only finite values")
    return a


def _check(X, Y) -> tuple[np.ndarray, np.ndarray]:
    X, Y = _as_points("X", X), _as_points("Y", Y)
    if X.shape[1] != Y.shape[1]:
        raise ValueError(f"X and Y must have the same number of columns, got {X.shape[1]} and {Y.shape[1]}")
    return X, Y


# --8<-- [start:pairwise_sq_dists_loop]
def pairwise_sq_dists_loop(X, Y) -> np.ndarray:
    """D[i, j] = sum over k of (X[i, k] - Y[j, k])**2, one Python step per entry.

    X is (n, d), Y is (m, d); the result is (n, m). Raises ValueError on
    arrays that are not 2-D, hold non-finite values, or differ in d.
    """
    X, Y = _check(X, Y)
    D = np.empty((len(X), len(Y)))
    for i in range(len(X)):
        for j in range(len(Y)):
            total = 0.0
            for k in range(X.shape[1]):
                diff = X[i, k] - Y[j, k]
                total += diff * diff
            D[i, j] = total
    return D
# --8<-- [end:pairwise_sq_dists_loop]


# --8<-- [start:pairwise_sq_dists]
def pairwise_sq_dists(X, Y) -> np.ndarray:
    """The same (n, m) matrix with no Python loop: |x|^2 + |y|^2 - 2 x.y.

    Broadcasting adds the (n, 1) column of squared norms of X to the (1, m)
    row of those of Y, and one matrix product gives every x.y. Rounding can
    leave tiny negatives where points coincide, so the result is clipped at 0.
    Raises ValueError as pairwise_sq_dists_loop does.
    """
    X, Y = _check(X, Y)
    x2 = np.sum(X * X, axis=1)[:, None]   # (n, 1)
    y2 = np.sum(Y * Y, axis=1)[None, :]   # (1, m)
    return np.maximum(x2 + y2 - 2.0 * (X @ Y.T), 0.0)
# --8<-- [end:pairwise_sq_dists]
