"""Gradient descent on least squares: full-batch, mini-batch and stochastic, with heavy-ball momentum.

Backs the page `docs/foundations/gradient-descent.md` and its notebook. The loss is the mean squared error halved,
F(w) = ||X w - y||^2 / (2n), whose Hessian X^T X / n is constant, so the step-size limits are exact. NumPy only, so a
downloaded notebook can inline this file.
"""

from __future__ import annotations

import numpy as np


def _design(X, y) -> tuple[np.ndarray, np.ndarray]:
    """X as a finite (n, p) float array and y as a finite (n,) one; ValueError otherwise."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim != 2 or y.ndim != 1 or len(X) != len(y) or X.size == 0:
        raise ValueError(f"need X of shape (n, p) and y of shape (n,), got {X.shape} and {y.shape}")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
        raise ValueError("X and y must be finite")
    return X, y


# --8<-- [start:curvature]
def curvature(X) -> tuple[float, float]:
    """(L, mu): the largest and smallest eigenvalues of the Hessian
    H = X^T X / n of F(w) = ||X w - y||^2 / (2n).

    Constant-step gradient descent converges on F from every start
    exactly when 0 < lr < 2 / L; kappa = L / mu is the condition
    number (infinite when mu = 0, e.g. collinear columns or p > n).
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.size == 0 or not np.all(np.isfinite(X)):
        raise ValueError(f"need a finite, non-empty (n, p) array, got shape {X.shape}")
    eig = np.linalg.eigvalsh(X.T @ X / len(X))
    return float(eig[-1]), float(max(eig[0], 0.0))
# --8<-- [end:curvature]


# --8<-- [start:least_squares_sgd]
@np.errstate(over="ignore", invalid="ignore")  # overflow is reported below
def least_squares_sgd(X, y, lr, batch_size=None, epochs=1,
                      momentum=0.0, w0=None, seed=0) -> np.ndarray:
    """Minimise F(w) = ||X w - y||^2 / (2n) by (mini-batch) gradient descent.

    batch_size: None (or n) for batch GD, 1 for SGD, else mini-batch.
    Each epoch shuffles the rows and walks through them in batches of
    batch_size (the last one may be smaller): ceil(n / b) steps.
    lr: the step size eta, a number or a function of the step t = 0, 1, ...
    momentum: beta in [0, 1), heavy ball: v <- beta v - eta g, w <- w + v,
    where g is the mean gradient over the batch (unbiased for grad F).
    Returns the path, shape (steps + 1, p), starting at w0 (default 0).
    Raises FloatingPointError if an epoch ends with non-finite weights.
    """
    X, y = _design(X, y)
    n, p = X.shape
    b = n if batch_size is None else int(batch_size)
    if not 1 <= b <= n or int(epochs) < 1 or not 0 <= momentum < 1:
        raise ValueError("need 1 <= batch_size <= n, epochs >= 1, 0 <= momentum < 1")
    step = lr if callable(lr) else (lambda t: lr)
    rng = np.random.default_rng(seed)
    w = np.zeros(p) if w0 is None else np.array(w0, dtype=float).reshape(p)
    v = np.zeros(p)
    batches = range(0, n, b)
    path = np.empty((int(epochs) * len(batches) + 1, p))
    path[0], t = w, 0
    for _ in range(int(epochs)):
        order = rng.permutation(n) if b < n else np.arange(n)
        Xs, ys = X[order], y[order]                  # shuffled copy, sliced below
        for start in batches:
            Xb, yb = Xs[start:start + b], ys[start:start + b]
            g = Xb.T @ (Xb @ w - yb) / len(yb)
            eta = float(step(t))
            if not eta > 0:
                raise ValueError(f"the step size must be positive, got {eta!r} at step {t}")
            v = momentum * v - eta * g
            w = w + v
            t += 1
            path[t] = w
        if not np.isfinite(w).all():
            raise FloatingPointError(f"diverged by step {t}: is lr < 2 / L?")
    return path
# --8<-- [end:least_squares_sgd]


# --8<-- [start:heavy_ball_tuning]
def heavy_ball_tuning(L: float, mu: float) -> tuple[float, float]:
    """Polyak's step size and momentum for a quadratic whose Hessian has
    eigenvalues in [mu, L], 0 < mu <= L:

        lr = 4 / (sqrt(L) + sqrt(mu))^2,
        beta = ((sqrt(k) - 1) / (sqrt(k) + 1))^2,  k = L / mu.

    The error then shrinks asymptotically by sqrt(beta) =
    (sqrt(k) - 1) / (sqrt(k) + 1) per step, against (k - 1) / (k + 1)
    for plain gradient descent at its best step 2 / (L + mu).
    """
    if not (np.isfinite(L) and np.isfinite(mu) and 0 < mu <= L):
        raise ValueError(f"need 0 < mu <= L, both finite; got L={L!r}, mu={mu!r}")
    root_k = np.sqrt(L / mu)
    return float(4 / (np.sqrt(L) + np.sqrt(mu)) ** 2), float(((root_k - 1) / (root_k + 1)) ** 2)
# --8<-- [end:heavy_ball_tuning]


def least_squares_loss(X, y, w):
    """F(w) = ||X w - y||^2 / (2n), the loss least_squares_sgd minimises.

    w: one weight vector (p,), giving a float, or a path (steps, p), giving one loss per row.
    """
    X, y = _design(X, y)
    W = np.asarray(w, dtype=float)
    if W.shape[-1:] != (X.shape[1],) or W.ndim > 2:
        raise ValueError(f"w must have shape (p,) or (steps, p) with p = {X.shape[1]}, got {W.shape}")
    r = np.atleast_2d(W) @ X.T - y
    loss = np.sum(r * r, axis=1) / (2 * len(y))
    return float(loss[0]) if W.ndim == 1 else loss
