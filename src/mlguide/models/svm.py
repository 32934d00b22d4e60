"""A linear support vector machine from scratch: hinge loss with an L2 penalty, solved in the dual by coordinate descent.

Backs the page `docs/models/support-vector-machines.md` and its notebook
`docs/models/notebooks/svm_margins_and_kernels.py`. The solver is the one LIBLINEAR uses for the hinge loss (Hsieh et
al., "A dual coordinate descent method for large-scale linear SVM", ICML 2008), so its answer can be compared with
scikit-learn's `LinearSVC(loss="hinge")`. NumPy only, so a downloaded notebook can inline this file.
"""

from __future__ import annotations

import warnings

import numpy as np


def _check_xy(X, y) -> tuple[np.ndarray, np.ndarray]:
    """X as a finite (n, d) float array and y as an (n,) array of -1.0 / +1.0; raise ValueError otherwise."""
    try:
        X = np.asarray(X, dtype=float)
        y = np.asarray(y, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError("X and y must be numeric") from err
    if X.ndim != 2 or X.shape[0] < 2 or X.shape[1] == 0:
        raise ValueError(f"X must be 2-D with at least two rows, got shape {X.shape}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have one label per row of X, got shape {y.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X must contain only finite numbers")
    if not np.all(np.isin(y, (-1.0, 1.0))) or len(np.unique(y)) < 2:
        raise ValueError("y must hold both labels -1 and +1 (map your two classes to them first)")
    return X, y


# --8<-- [start:linear_svm_dual_cd]
def linear_svm_dual_cd(X, y, C: float = 1.0, bias_scale: float = 1.0,
                       tol: float = 1e-3, max_epochs: int = 1000, seed: int = 0):
    """Soft-margin linear SVM by dual coordinate descent.

    Minimises 0.5 ||w||^2 + C * sum_i max(0, 1 - y_i (w.x_i + b))
    for labels y_i in {-1, +1}. The bias is the weight of an extra
    constant feature equal to bias_scale, so it is penalised too,
    lightly if bias_scale is large (as LinearSVC's intercept_scaling).
    Dual: maximise sum(alpha) - 0.5 sum_ij alpha_i alpha_j y_i y_j
    z_i.z_j over 0 <= alpha_i <= C, z_i = (x_i, bias_scale); then
    w = sum_i alpha_i y_i z_i. Each step solves for one alpha_i
    exactly and clips it to [0, C]. Stops when the projected
    gradients span less than tol. Returns (w, b, alpha); the support
    vectors are the points with alpha_i > 0.
    """
    X, y = _check_xy(X, y)
    if not (np.isfinite(C) and C > 0 and np.isfinite(bias_scale) and bias_scale > 0):
        raise ValueError("C and bias_scale must be positive finite numbers")
    n, d = X.shape
    Z = np.hstack([X, np.full((n, 1), float(bias_scale))])
    q = np.einsum("ij,ij->i", Z, Z)                 # diagonal of the Gram matrix
    alpha, w = np.zeros(n), np.zeros(d + 1)
    rng = np.random.default_rng(seed)
    for _ in range(max_epochs):
        pg_max, pg_min = -np.inf, np.inf
        for i in rng.permutation(n):
            g = y[i] * (w @ Z[i]) - 1.0             # dual gradient for alpha_i
            pg = min(g, 0.0) if alpha[i] == 0 else max(g, 0.0) if alpha[i] == C else g
            pg_max, pg_min = max(pg_max, pg), min(pg_min, pg)
            if pg != 0.0:
                new = min(max(alpha[i] - g / q[i], 0.0), C)
                w += (new - alpha[i]) * y[i] * Z[i]
                alpha[i] = new
        if pg_max - pg_min < tol:
            break
    else:
        warnings.warn("dual coordinate descent did not converge; raise max_epochs", RuntimeWarning, stacklevel=2)
    return w[:d], float(w[d] * bias_scale), alpha
# --8<-- [end:linear_svm_dual_cd]


def primal_objective(w, b, X, y, C: float, bias_scale: float = 1.0) -> float:
    """0.5 (||w||^2 + (b / bias_scale)^2) + C sum_i max(0, 1 - y_i (w.x_i + b)): what `linear_svm_dual_cd` minimises."""
    X, y = _check_xy(X, y)
    w = np.asarray(w, dtype=float)
    margins = y * (X @ w + b)
    return float(0.5 * (w @ w + (b / bias_scale) ** 2) + C * np.maximum(0.0, 1.0 - margins).sum())


def dual_objective(alpha, X, y, bias_scale: float = 1.0) -> float:
    """sum(alpha) - 0.5 ||sum_i alpha_i y_i z_i||^2 with z_i = (x_i, bias_scale): what the solver maximises."""
    X, y = _check_xy(X, y)
    alpha = np.asarray(alpha, dtype=float)
    Z = np.hstack([X, np.full((len(X), 1), float(bias_scale))])
    v = Z.T @ (alpha * y)
    return float(alpha.sum() - 0.5 * v @ v)


class LinearSVM:
    """fit/predict wrapper around `linear_svm_dual_cd` for any two class labels (the larger one becomes +1)."""

    def __init__(self, C: float = 1.0, bias_scale: float = 1.0, tol: float = 1e-3, max_epochs: int = 1000,
                 seed: int = 0):
        self.C, self.bias_scale, self.tol, self.max_epochs, self.seed = C, bias_scale, tol, max_epochs, seed

    def fit(self, X, y) -> "LinearSVM":
        y = np.asarray(y)
        self.classes_ = np.unique(y)
        if len(self.classes_) != 2:
            raise ValueError(f"LinearSVM is binary; got {len(self.classes_)} classes")
        signs = np.where(y == self.classes_[1], 1.0, -1.0)
        self.coef_, self.intercept_, self.alpha_ = linear_svm_dual_cd(
            X, signs, self.C, self.bias_scale, self.tol, self.max_epochs, self.seed)
        self.support_ = np.flatnonzero(self.alpha_ > 0)
        return self

    def decision_function(self, X) -> np.ndarray:
        return np.asarray(X, dtype=float) @ self.coef_ + self.intercept_

    def predict(self, X) -> np.ndarray:
        return self.classes_[(self.decision_function(X) > 0).astype(int)]
