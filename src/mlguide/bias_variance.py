"""Monte Carlo bias-variance decomposition of squared error.

Backs the page `docs/generalization/bias-variance.md` and its notebook. NumPy only, so a downloaded notebook can
inline this file.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


# --8<-- [start:decompose]
class Decomposition(NamedTuple):
    """Terms of the expected squared error, each averaged over the test points."""

    bias2: float           # squared gap between average prediction and f(x)
    variance: float        # spread of predictions across training sets
    noise: float           # irreducible error: the variance of y around f(x)
    expected_error: float  # noise + bias2 + variance


def decompose(predictions, f_true, noise_var: float) -> Decomposition:
    """Split expected squared error into bias^2, variance and noise.

    predictions: shape (n_repeats, n_points); row r holds the predictions, at fixed
        test points, of the model trained on the r-th independent training set.
    f_true: shape (n_points,); the noise-free target f(x) at those points.
    noise_var: the variance sigma^2 of the noise in y = f(x) + noise.

    Expectations over training sets become averages over rows (variance with ddof=0),
    so bias2 + variance equals the mean of (prediction - f)^2 exactly.
    """
    preds = np.asarray(predictions, dtype=float)
    f = np.asarray(f_true, dtype=float)
    if preds.ndim != 2 or preds.shape[0] < 2:
        raise ValueError(f"need 2-D predictions with >= 2 rows, got shape {preds.shape}")
    if f.shape != preds.shape[1:]:
        raise ValueError(f"f_true has shape {f.shape}, predictions {preds.shape}")
    if not np.isfinite(noise_var) or noise_var < 0:
        raise ValueError(f"noise_var must be a finite variance >= 0, got {noise_var!r}")
    mean_pred = preds.mean(axis=0)                       # E_D[f_hat(x)] per test point
    bias2 = float(np.mean((mean_pred - f) ** 2))         # averaged over test points
    variance = float(np.mean((preds - mean_pred) ** 2))  # over rows, then points
    noise = float(noise_var)
    return Decomposition(bias2, variance, noise, noise + bias2 + variance)
# --8<-- [end:decompose]
