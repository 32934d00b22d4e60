"""Ordinary least squares with standard errors, solved by QR, and variance inflation factors.

Backs the page `docs/models/linear-regression.md` and its notebook. NumPy only, so a downloaded notebook can inline
this file.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class OLSFit:
    """The result of `ols`: coefficients (intercept first, if fitted) and what inference needs."""

    coef: np.ndarray        # (k,) least-squares coefficients
    se: np.ndarray          # (k,) their standard errors
    sigma2: float           # residual variance estimate, RSS / (n - k)
    residuals: np.ndarray   # (n,) y - X coef
    leverage: np.ndarray    # (n,) diagonal of the hat matrix
    df_resid: int           # n - k


def _finite_design(X, y) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2 or y.ndim != 1 or len(X) != len(y):
        raise ValueError(f"need X of shape (n, p) and y of shape (n,), got {X.shape} and {y.shape}")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
        raise ValueError("X and y must be finite")
    return X, y


# --8<-- [start:ols]
def ols(X, y, fit_intercept=True, cov="classical") -> OLSFit:
    """Least squares, min ||y - A b||^2, solved by QR (never by inverting A^T A).

    A is X with a column of ones in front if fit_intercept. With
    A = QR, b = R^{-1} Q^T y and (A^T A)^{-1} = R^{-1} R^{-T}.
    cov: "classical", Var(b) = s^2 (A^T A)^{-1} with s^2 = RSS / (n - k),
    valid for uncorrelated errors of constant variance; or "HC0" / "HC3",
    White's sandwich (A^T A)^{-1} A^T diag(w) A (A^T A)^{-1} with
    w_i = e_i^2 or e_i^2 / (1 - h_ii)^2, valid under heteroscedasticity.
    Raises ValueError if a column is a linear combination of the others
    (to about 1e-10 of its length), if n <= k, or for HC3 if h_ii = 1.
    """
    X, y = _finite_design(X, y)
    A = np.column_stack([np.ones(len(X)), X]) if fit_intercept else X
    n, k = A.shape
    if n <= k:
        raise ValueError(f"need more rows than coefficients: n = {n}, k = {k}")
    Q, R = np.linalg.qr(A)                              # reduced: Q (n, k), R (k, k)
    if np.any(np.abs(np.diag(R)) <= 1e-10 * np.linalg.norm(A, axis=0)):
        raise ValueError("A has (numerically) collinear columns: drop or combine some")
    coef = np.linalg.solve(R, Q.T @ y)                  # back substitution
    resid = y - A @ coef
    R_inv = np.linalg.solve(R, np.eye(k))
    leverage = np.sum(Q**2, axis=1)                     # h_ii = ||row i of Q||^2
    sigma2 = float(resid @ resid / (n - k))
    if cov == "classical":
        V = sigma2 * R_inv @ R_inv.T
    elif cov in ("HC0", "HC3"):
        if cov == "HC3" and leverage.max() > 1 - 1e-8:
            raise ValueError("HC3 needs every leverage below 1")
        w = resid**2 if cov == "HC0" else (resid / (1 - leverage)) ** 2
        B = R_inv @ Q.T                                 # (A^T A)^{-1} A^T
        V = (B * w) @ B.T
    else:
        raise ValueError(f"cov must be 'classical', 'HC0' or 'HC3', got {cov!r}")
    return OLSFit(coef, np.sqrt(np.diag(V)), sigma2, resid, leverage, n - k)
# --8<-- [end:ols]


# --8<-- [start:vif]
def vif(X) -> np.ndarray:
    """Variance inflation factors, VIF_j = 1 / (1 - R_j^2), where R_j^2
    is the R^2 of regressing column j on the other columns (with an
    intercept). Var(b_j) is VIF_j times what it would be were column j
    uncorrelated with the rest. Infinite for exact collinearity.
    """
    X, _ = _finite_design(X, np.zeros(len(np.asarray(X))))
    n, p = X.shape
    if n < p + 2 or np.any(np.ptp(X, axis=0) == 0):
        raise ValueError("need n >= p + 2 rows and no constant column")
    out = np.empty(p)
    for j in range(p):
        others = np.column_stack([np.ones(n), np.delete(X, j, axis=1)])
        fit = np.linalg.lstsq(others, X[:, j], rcond=None)[0]
        rss = np.sum((X[:, j] - others @ fit) ** 2)
        tss = np.sum((X[:, j] - X[:, j].mean()) ** 2)
        out[j] = np.inf if rss <= 1e-12 * tss else tss / rss   # 1/(1 - R^2)
    return out
# --8<-- [end:vif]
