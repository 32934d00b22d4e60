"""Monte Carlo bias-variance decompositions of squared error and of log loss.

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


# --8<-- [start:decompose_log_loss]
class LogLossDecomposition(NamedTuple):
    """Terms of the expected log loss, each averaged over the test points."""

    noise: float           # entropy H(p) of the true class probabilities
    bias: float            # KL(p || q_central)
    variance: float        # E_D KL(q_central || q_D)
    expected_error: float  # noise + bias + variance


def decompose_log_loss(probabilities, p_true) -> LogLossDecomposition:
    """Split expected log loss (cross-entropy, natural log) into noise, bias and variance.

    probabilities: shape (n_repeats, n_points, n_classes); row r holds the class
        probabilities, all > 0, that the model trained on the r-th training set predicts.
    p_true: shape (n_points, n_classes); the true class probabilities P(y | x).

    The central prediction q_central is the normalised geometric mean of the rows,
    proportional to exp(mean of log q), not their average; with it, noise + bias +
    variance equals the mean over rows and points of sum_y p(y) * (-log q(y)) exactly.
    """
    q = np.asarray(probabilities, dtype=float)
    p = np.asarray(p_true, dtype=float)
    if q.ndim != 3 or q.shape[0] < 2:
        raise ValueError(f"need 3-D probabilities with >= 2 rows, got shape {q.shape}")
    if p.shape != q.shape[1:]:
        raise ValueError(f"p_true has shape {p.shape}, probabilities {q.shape}")
    if not (np.all(np.isfinite(q)) and np.all(q > 0) and np.allclose(q.sum(axis=-1), 1.0)):
        raise ValueError("each predicted distribution needs entries > 0 that sum to 1")
    if not (np.all(np.isfinite(p)) and np.all(p >= 0) and np.allclose(p.sum(axis=-1), 1.0)):
        raise ValueError("each true distribution needs entries >= 0 that sum to 1")
    log_q = np.log(q)
    mean_log = log_q.mean(axis=0)                        # E_D[log q_D] per point and class
    top = mean_log.max(axis=-1, keepdims=True)
    log_central = mean_log - top - np.log(np.exp(mean_log - top).sum(axis=-1, keepdims=True))
    central = np.exp(log_central)                        # normalised geometric mean
    p_log_p = p * np.log(np.where(p > 0, p, 1.0))        # 0 log 0 = 0
    noise = float(np.mean(-p_log_p.sum(axis=-1)))
    bias = float(np.mean((p_log_p - p * log_central).sum(axis=-1)))
    variance = float(np.mean((central * (log_central - log_q)).sum(axis=-1)))
    return LogLossDecomposition(noise, bias, variance, noise + bias + variance)
# --8<-- [end:decompose_log_loss]
