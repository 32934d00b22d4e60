"""Regression metrics: MAE, MSE, RMSE, pinball and Huber losses, the coefficient of determination and its adjusted form.

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


# --8<-- [start:robust]
def pinball_loss(y_true, y_pred, tau: float) -> float:
    """Mean pinball (quantile) loss at level tau in (0, 1); the tau-quantile minimises it.

    A miss with y above the prediction costs tau per unit, one below costs (1 - tau);
    tau = 0.5 gives half the MAE.
    """
    if not 0 < tau < 1:
        raise ValueError(f"tau must lie strictly between 0 and 1, got {tau!r}")
    t, p = paired(y_true, y_pred)
    e = t - p
    return float(np.mean(np.maximum(tau * e, (tau - 1) * e)))


def huber_loss(y_true, y_pred, delta: float) -> float:
    """Mean Huber loss: e^2 / 2 for |e| <= delta, delta * (|e| - delta / 2) beyond it."""
    if not (np.isfinite(delta) and delta > 0):
        raise ValueError(f"delta must be a positive number, got {delta!r}")
    t, p = paired(y_true, y_pred)
    a = np.abs(t - p)
    return float(np.mean(np.where(a <= delta, 0.5 * a**2, delta * (a - 0.5 * delta))))
# --8<-- [end:robust]


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

    Equals 1 - (1 - r2) (n - 1) / (n - p - 1): one minus a ratio of variance estimates
    (unbiased when the model contains the true regression function) instead of raw sums of
    squares. The ratio itself is not unbiased, so adjusted R^2 runs slightly below the
    population R^2 on average. Raises ValueError unless n > p + 1, so that the residual
    degrees of freedom are positive.
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
