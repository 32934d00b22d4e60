"""Regression metrics: MAE, MSE, RMSE, the coefficient of determination and its adjusted form.

Backs the page `docs/evaluation/regression-metrics.md` and its notebook. NumPy only, so a downloaded notebook can
inline this file.
"""

from __future__ import annotations

import numpy as np


# --8<-- [start:paired]
def paired(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    """Return targets and predictions as finite 1-D float arrays of equal, non-zero length.

    Raises ValueError when the shapes differ, an input is empty or not 1-D, or a value is NaN/inf.
    """
    t = np.asarray(y_true, dtype=float)
    p = np.asarray(y_pred, dtype=float)
    if t.ndim != 1 or p.ndim != 1:
        raise ValueError(f"expected 1-D arrays, got shapes {t.shape} and {p.shape}")
    if t.shape != p.shape:
        raise ValueError(f"y_true has {t.size} values but y_pred has {p.size}")
    if t.size == 0:
        raise ValueError("cannot score an empty set of predictions")
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(p))):
        raise ValueError("targets and predictions must be finite")
    return t, p
# --8<-- [end:paired]


# --8<-- [start:errors]
def mae(y_true, y_pred) -> float:
    """Mean absolute error: the average size of a miss, in the units of y."""
    t, p = paired(y_true, y_pred)
    return float(np.mean(np.abs(t - p)))


def mse(y_true, y_pred) -> float:
    """Mean squared error: the average squared miss, in the units of y squared."""
    t, p = paired(y_true, y_pred)
    return float(np.mean((t - p) ** 2))


def rmse(y_true, y_pred) -> float:
    """Root mean squared error: the square root of the MSE, back in the units of y."""
    return float(np.sqrt(mse(y_true, y_pred)))
# --8<-- [end:errors]


# --8<-- [start:r2]
def r2_score(y_true, y_pred) -> float:
    """Coefficient of determination, 1 - SS_res / SS_tot, with SS_tot taken around mean(y_true).

    1 for perfect predictions, 0 for always predicting that mean, negative for anything worse.
    Raises ValueError when y_true is constant: SS_tot is then zero and the ratio undefined.
    """
    t, p = paired(y_true, y_pred)
    ss_res = np.sum((t - p) ** 2)
    ss_tot = np.sum((t - t.mean()) ** 2)
    if ss_tot == 0:
        raise ValueError("R^2 is undefined when every target has the same value")
    return float(1.0 - ss_res / ss_tot)


def adjusted_r2(r2: float, n: int, p: int) -> float:
    """Adjusted R^2 of a least-squares fit with an intercept, n observations and p predictors.

    Equals 1 - (1 - r2) (n - 1) / (n - p - 1), i.e. one minus a ratio of unbiased variance
    estimates instead of raw sums of squares. Raises ValueError unless n > p + 1, so that
    the residual degrees of freedom are positive.
    """
    if int(n) != n or int(p) != p:
        raise ValueError(f"n and p must be whole numbers, got n={n!r}, p={p!r}")
    if p < 0:
        raise ValueError(f"p counts predictors and cannot be negative, got {p}")
    if n <= p + 1:
        raise ValueError(f"adjusted R^2 needs n > p + 1, got n={n}, p={p}")
    if not np.isfinite(r2) or r2 > 1:
        raise ValueError(f"r2 must be a finite number no greater than 1, got {r2!r}")
    return float(1.0 - (1.0 - r2) * (n - 1) / (n - p - 1))
# --8<-- [end:r2]
