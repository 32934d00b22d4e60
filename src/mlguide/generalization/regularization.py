"""Ridge and lasso building blocks: the soft-thresholding operator and the ridge closed form.

Backs the page `docs/generalization/regularization.md` and its notebook. NumPy only, so a downloaded notebook can
inline this file.
"""

from __future__ import annotations

import numpy as np


# --8<-- [start:soft_threshold]
def soft_threshold(b, lam: float) -> np.ndarray:
    """Soft thresholding, S(b, lam) = sign(b) * max(|b| - lam, 0), elementwise.

    b: a number or array, e.g. least-squares coefficients.
    lam: the threshold, a finite number >= 0.

    Solves min_beta 0.5 * (beta - b)^2 + lam * |beta| entrywise:
    entries with |b| <= lam become exactly 0, the rest move lam
    toward 0. If X^T X = I (orthonormal columns), the lasso
    0.5 * ||y - X beta||^2 + lam * ||beta||_1 is minimised by
    soft_threshold(X^T y, lam).
    """
    if not np.isfinite(lam) or lam < 0:
        raise ValueError(f"lam must be a finite number >= 0, got {lam!r}")
    b = np.asarray(b, dtype=float)
    return np.sign(b) * np.maximum(np.abs(b) - lam, 0.0)
# --8<-- [end:soft_threshold]


# --8<-- [start:ridge_closed_form]
def ridge_closed_form(X, y, lam: float) -> tuple[np.ndarray, float]:
    """Ridge regression: min over b0, beta of
    ||y - b0 - X beta||^2 + lam * ||beta||^2, solved exactly.

    X: (n, p) features; y: (n,) targets; lam: finite number >= 0.
    Returns (beta, b0). The intercept b0 is not penalised: centring
    X and y removes it, beta = (Xc^T Xc + lam I)^{-1} Xc^T yc, and
    b0 = mean(y) - mean(X) @ beta. Same objective as scikit-learn's
    Ridge(alpha=lam): a sum of squares, not a mean.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim != 2 or y.ndim != 1 or len(X) != len(y) or len(X) < 1:
        raise ValueError(f"need X (n, p) and y (n,), got {X.shape}, {y.shape}")
    if not np.isfinite(lam) or lam < 0:
        raise ValueError(f"lam must be a finite number >= 0, got {lam!r}")
    x_mean, y_mean = X.mean(axis=0), y.mean()
    Xc, yc = X - x_mean, y - y_mean
    gram = Xc.T @ Xc + lam * np.eye(X.shape[1])
    if lam == 0 and np.linalg.matrix_rank(gram) < X.shape[1]:
        raise ValueError("X^T X is singular (collinear or p >= n): use lam > 0")
    beta = np.linalg.solve(gram, Xc.T @ yc)
    return beta, float(y_mean - x_mean @ beta)
# --8<-- [end:ridge_closed_form]
