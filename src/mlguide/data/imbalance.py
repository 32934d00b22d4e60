"""Imbalanced classes: resampling, SMOTE, and undoing what rebalancing does to predicted probabilities.

Backs the page `docs/data/imbalanced-data.md` and the notebook `docs/data/notebooks/imbalanced_resampling.py`.
NumPy only, so a downloaded notebook can inline this file.

Conventions: label 1 is the positive (minority) class. Undersampling keeps every positive and each negative with
probability `beta`; a class weight of `beta` on the negatives (1 on the positives) has the same effect on a model
fitted by weighted log loss, so every function here that takes `beta` covers both.
"""

from __future__ import annotations

import numpy as np


def _check_beta(beta: float) -> float:
    beta = float(beta)
    if not 0.0 < beta <= 1.0 or not np.isfinite(beta):
        raise ValueError(f"beta, the share of negatives kept, must lie in (0, 1], got {beta!r}")
    return beta


# --8<-- [start:undersample]
def undersample(y, beta: float, rng=None) -> np.ndarray:
    """Indices of a random undersample: every positive, and each negative independently with probability beta.

    The correction in `correct_undersampled_probability` needs only P(kept | y = 1, x) = 1 and
    P(kept | y = 0, x) = beta whatever x is. Coin flips make beta that inclusion probability exactly; a simple random
    sample of exactly m negatives works equally, with beta = m / n_0.
    """
    y = np.asarray(y)
    if y.ndim != 1 or y.size == 0 or not np.all((y == 0) | (y == 1)):
        raise ValueError("y must be a non-empty 1-D array of 0/1 labels")
    beta = _check_beta(beta)
    rng = np.random.default_rng(rng)
    keep = (y == 1) | (rng.random(y.size) < beta)
    return np.flatnonzero(keep)
# --8<-- [end:undersample]


# --8<-- [start:smote]
def smote(X_minority, n_new: int, k: int = 5, rng=None) -> np.ndarray:
    """n_new synthetic rows made by SMOTE (Chawla et al., 2002) from the minority-class rows X_minority.

    Each synthetic row picks a minority row x uniformly at random (as imbalanced-learn does; the paper takes each
    minority row in turn), one of its k nearest minority neighbours x_nn (Euclidean distance, x itself excluded)
    uniformly at random, and a gap u ~ Uniform(0, 1), and returns x + u * (x_nn - x): a point on the segment between
    them. Scale the features first, since distances decide x_nn.
    """
    X = np.asarray(X_minority, dtype=float)
    if X.ndim != 2 or X.shape[0] < 2:
        raise ValueError("X_minority must be a 2-D array with at least two rows")
    if not np.all(np.isfinite(X)):
        raise ValueError("X_minority must be finite")
    if int(n_new) != n_new or n_new < 0:
        raise ValueError(f"n_new must be a non-negative integer, got {n_new!r}")
    if int(k) != k or not 1 <= k < X.shape[0]:
        raise ValueError(f"k must be an integer from 1 to {X.shape[0] - 1} (rows minus one), got {k!r}")
    rng = np.random.default_rng(rng)
    sq = np.sum(X**2, axis=1)
    d2 = sq[:, None] + sq[None, :] - 2 * X @ X.T             # squared distances between minority rows
    np.fill_diagonal(d2, np.inf)                              # a row is not its own neighbour
    neighbours = np.argsort(d2, axis=1, kind="stable")[:, :int(k)]
    base = rng.integers(0, X.shape[0], size=int(n_new))
    partner = neighbours[base, rng.integers(0, int(k), size=int(n_new))]
    gap = rng.random((int(n_new), 1))
    return X[base] + gap * (X[partner] - X[base])
# --8<-- [end:smote]


# --8<-- [start:correct_undersampled_probability]
def correct_undersampled_probability(p_s, beta: float):
    """Probability at the original class balance, from p_s predicted by a model fitted to an undersample.

    The undersample keeps every positive and a share beta of the negatives (or the negatives carry weight beta).
    Bayes' rule gives p_s = p / (p + beta * (1 - p)); solving for p,
        p = beta * p_s / (beta * p_s + 1 - p_s),
    i.e. the odds p_s / (1 - p_s) are multiplied by beta. beta = 1 leaves p_s unchanged.
    Returns an array shaped like p_s, or a float for a scalar.
    """
    p_s = np.asarray(p_s, dtype=float)
    beta = _check_beta(beta)
    if np.any(~np.isfinite(p_s)) or np.any((p_s < 0) | (p_s > 1)):
        raise ValueError("probabilities must lie in [0, 1]")
    p = beta * p_s / (beta * p_s + (1.0 - p_s))
    return p if p.ndim else float(p)
# --8<-- [end:correct_undersampled_probability]


# --8<-- [start:cost_threshold]
def cost_threshold(c_fp: float, c_fn: float, beta: float = 1.0) -> float:
    """Threshold on p_s that minimises expected cost at the original class balance (flag when p_s >= threshold).

    For calibrated probabilities (beta = 1) it is c_fp / (c_fp + c_fn). For a model fitted with the negatives
    undersampled to a share beta (or weighted by beta), flag when the corrected odds beta * p_s / (1 - p_s) exceed
    c_fp / c_fn, which is p_s >= c_fp / (c_fp + beta * c_fn). Correct decisions are taken to cost nothing.
    """
    if not (np.isfinite(c_fp) and np.isfinite(c_fn)) or c_fp <= 0 or c_fn <= 0:
        raise ValueError("both error costs must be positive and finite")
    beta = _check_beta(beta)
    return float(c_fp / (c_fp + beta * c_fn))
# --8<-- [end:cost_threshold]
