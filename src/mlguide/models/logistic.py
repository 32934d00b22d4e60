"""Logistic regression fitted by Newton's method (iteratively reweighted least squares), and its standard errors.

Backs the page `docs/models/logistic-regression.md` and its notebook
`docs/models/notebooks/logistic_odds_calibration.py`.
The model is P(y = 1 | x) = sigmoid(b0 + x . beta). NumPy only, so a downloaded notebook can inline this file.
"""

from __future__ import annotations

import numpy as np


def sigmoid(z) -> np.ndarray:
    """The logistic function 1 / (1 + exp(-z)), elementwise, without overflow for large |z|.

    Its inverse is the logit, log(p / (1 - p)); sigmoid(-z) = 1 - sigmoid(z).
    """
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))  # in (0, 1], never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _design(X, y) -> tuple[np.ndarray, np.ndarray]:
    """[1, X] as a finite (n, p + 1) float array and y as a 0/1 float array; ValueError otherwise."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    if X.ndim != 2 or y.ndim != 1 or len(X) != len(y) or len(y) == 0:
        raise ValueError(f"need X of shape (n, p) and y of shape (n,), got {X.shape} and {y.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X must be finite (no NaN or infinity)")
    if y.dtype != bool and (not np.issubdtype(y.dtype, np.number) or not np.all((y == 0) | (y == 1))):
        raise ValueError("labels must be 0/1 or boolean")
    return np.column_stack([np.ones(len(X)), X]), y.astype(float)


# --8<-- [start:fit_logistic_newton]
def fit_logistic_newton(X, y, l2=0.0, tol=1e-8, max_iter=100):
    """Logistic regression by Newton's method, also called IRLS.

    Minimises the cross-entropy (negative log-likelihood) plus an
    L2 penalty that leaves the intercept b0 alone:
        sum_i [log(1 + exp(eta_i)) - y_i eta_i] + (l2 / 2) ||beta||^2,
        eta_i = b0 + x_i . beta,
    the objective of scikit-learn's LogisticRegression(C=1 / l2)
    (C=np.inf for l2 = 0). Each step solves H step = -g, with
    gradient g = X1^T (p - y) + l2 beta and Hessian
    H = X1^T W X1 + l2 I, W = diag(p_i (1 - p_i)), X1 = [1, X]
    (I without its intercept entry): a weighted least-squares fit,
    reweighted every step; a step is halved if it would raise the loss.
    Returns (b0, beta). Raises RuntimeError if the steps have not
    shrunk below tol after max_iter, as when l2 = 0 and a plane
    separates the classes: then no finite maximum exists.
    """
    X1, y = _design(X, y)
    if not (np.isfinite(l2) and l2 >= 0):
        raise ValueError(f"l2 must be a finite number >= 0, got {l2!r}")
    penalty = np.full(X1.shape[1], float(l2))
    penalty[0] = 0.0                          # the intercept is not penalised

    def objective(theta):
        eta = X1 @ theta
        return np.sum(np.logaddexp(0.0, eta) - y * eta) + 0.5 * np.sum(penalty * theta**2)

    theta = np.zeros(X1.shape[1])
    loss = objective(theta)
    for _ in range(max_iter):
        p = sigmoid(X1 @ theta)
        grad = X1.T @ (p - y) + penalty * theta
        hess = (X1.T * (p * (1 - p))) @ X1 + np.diag(penalty)
        try:
            step = -np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            raise RuntimeError("singular Hessian: collinear features or separable classes; try l2 > 0") from None
        t = 1.0                               # halve the step until the loss does not rise
        while objective(theta + t * step) > loss + 1e-12 * abs(loss) and t > 1e-10:
            t /= 2
        theta = theta + t * step
        loss = objective(theta)
        if np.max(np.abs(t * step)) < tol:
            return float(theta[0]), theta[1:]
    raise RuntimeError(f"no convergence in {max_iter} Newton steps: are the classes separable? try l2 > 0")
# --8<-- [end:fit_logistic_newton]


def logistic_standard_errors(X, b0, beta) -> np.ndarray:
    """Standard errors of (b0, beta_1, ..., beta_p) for an unpenalised fit: sqrt(diag((X1^T W X1)^-1)).

    X1 = [1, X] and W = diag(p_i (1 - p_i)) at the fitted probabilities: the inverse of the observed (here also the
    expected) Fisher information, the large-sample covariance of the maximum-likelihood estimate. A Wald 95% interval
    for an odds ratio is exp(beta_j +- 1.96 se_j). With one binary feature it reproduces Woolf's
    sqrt(1/a + 1/b + 1/c + 1/d) for the log odds ratio of a 2 x 2 table.
    """
    X1, _ = _design(X, np.zeros(len(np.asarray(X))))
    theta = np.concatenate([[float(b0)], np.asarray(beta, dtype=float).ravel()])
    if theta.size != X1.shape[1]:
        raise ValueError(f"X has {X1.shape[1] - 1} features but beta has {theta.size - 1} entries")
    p = sigmoid(X1 @ theta)
    info = (X1.T * (p * (1 - p))) @ X1
    return np.sqrt(np.diag(np.linalg.inv(info)))
