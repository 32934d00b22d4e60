"""Adversarial examples for a softmax-linear model, whose input gradient is analytic: the cross-entropy gradient with
respect to the input, the fast gradient sign method (FGSM), one projected gradient descent (PGD) step, the projection
onto an L-infinity ball intersected with the valid input range, and a full PGD attack.

Backs the page `docs/generative/adversarial-training.md` and its notebook. NumPy only, so a downloaded notebook can
inline this file.

The model maps a batch X of shape (n, d) to logits Z = X @ W.T + b, with W of shape (K, d) and b of shape (K,), as
PyTorch's `nn.Linear(d, K)` does; labels y are integers 0..K-1. A binary logistic regression with weights w and bias c
is the case K = 2 with W = [[0, ...], w] and b = [0, c].
"""

from __future__ import annotations

import numpy as np


def _check_model(X, y, W, b) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    X, W, b = (np.asarray(a, dtype=float) for a in (X, W, b))
    y = np.asarray(y)
    if W.ndim != 2 or b.shape != (W.shape[0],):
        raise ValueError(f"W must be (K, d) and b (K,); got W {W.shape}, b {b.shape}")
    if X.ndim != 2 or X.shape[1] != W.shape[1]:
        raise ValueError(f"X must have shape (n, {W.shape[1]}), got {X.shape}")
    if y.shape != (len(X),) or not np.issubdtype(y.dtype, np.integer) or np.any((y < 0) | (y >= W.shape[0])):
        raise ValueError(f"y must hold {len(X)} integer labels in 0..{W.shape[0] - 1}")
    if not all(np.all(np.isfinite(a)) for a in (X, W, b)):
        raise ValueError("X, W or b contains NaN or infinite values")
    return X, y, W, b


def _check_eps(eps: float, name: str = "eps") -> float:
    if isinstance(eps, bool) or not np.isfinite(eps) or eps < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {eps!r}")
    return float(eps)


# --8<-- [start:input_gradient]
def input_gradient(X, y, W, b) -> tuple[np.ndarray, np.ndarray]:
    """Cross-entropy of a softmax-linear model and its gradient in X.

    Logits Z = X W^T + b; loss_i = logsumexp(Z_i) - Z_i[y_i].
    The gradient of loss_i in x_i is W^T (softmax(Z_i) - e_{y_i}),
    all rows at once: (P - Y) W. Returns (loss (n,), grad (n, d)).
    """
    X, y, W, b = _check_model(X, y, W, b)
    Z = X @ W.T + b
    Z = Z - Z.max(axis=1, keepdims=True)             # stable softmax
    log_norm = np.log(np.exp(Z).sum(axis=1))
    loss = log_norm - Z[np.arange(len(X)), y]
    P = np.exp(Z - log_norm[:, None])                # softmax(Z)
    P[np.arange(len(X)), y] -= 1.0                   # P - Y, one-hot Y
    return loss, P @ W
# --8<-- [end:input_gradient]


# --8<-- [start:project_linf]
def project_linf(X_adv, X, eps: float, clip=(0.0, 1.0)) -> np.ndarray:
    """Nearest point to X_adv in the L-inf ball of radius eps around X,
    inside the valid range clip = (low, high), or clip=None.

    Per coordinate: clamp to [x - eps, x + eps], then to the range.
    Both are boxes, so clamping in turn is the exact projection,
    provided X itself lies in the range.
    """
    X_adv, X = np.asarray(X_adv, dtype=float), np.asarray(X, dtype=float)
    if X_adv.shape != X.shape:
        raise ValueError(f"X_adv and X must have the same shape, got {X_adv.shape} and {X.shape}")
    eps = _check_eps(eps)
    out = np.clip(X_adv, X - eps, X + eps)
    if clip is not None:
        low, high = clip
        if not low < high or np.any((X < low) | (X > high)):
            raise ValueError(f"clip must be (low, high) with low < high and X inside it, got {clip!r}")
        out = np.clip(out, low, high)
    return out
# --8<-- [end:project_linf]


# --8<-- [start:fgsm]
def fgsm(X, y, W, b, eps: float, clip=(0.0, 1.0)) -> np.ndarray:
    """Fast gradient sign method (Goodfellow et al., 2015):
    x' = x + eps * sign(grad_x loss), clipped to the valid range.

    With two classes, before clipping, the true class's logit margin
    falls by eps * ||w_true - w_other||_1: a budget of eps per
    coordinate buys a change that grows with the dimension d.
    """
    eps = _check_eps(eps)
    _, grad = input_gradient(X, y, W, b)
    return project_linf(np.asarray(X, dtype=float) + eps * np.sign(grad), X, eps, clip)
# --8<-- [end:fgsm]


# --8<-- [start:pgd_step]
def pgd_step(X_adv, X, y, W, b, eps: float, step_size: float,
             clip=(0.0, 1.0)) -> np.ndarray:
    """One step of L-inf projected gradient ascent (Madry et al., 2018):
    X_adv + step_size * sign(grad at X_adv), projected back onto
    the eps-ball around the clean X and the valid range.
    """
    step_size = _check_eps(step_size, "step_size")
    _, grad = input_gradient(X_adv, y, W, b)
    return project_linf(np.asarray(X_adv, dtype=float) + step_size * np.sign(grad), X, eps, clip)
# --8<-- [end:pgd_step]


def pgd(X, y, W, b, eps: float, step_size: float, steps: int, clip=(0.0, 1.0), rng=None) -> np.ndarray:
    """`steps` PGD steps from X, or from a uniform random point of the eps-ball when `rng` (a seed or Generator) is
    given, as Madry et al. start."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be an integer >= 0, got {steps!r}")
    X = np.asarray(X, dtype=float)
    X_adv = X.copy()
    if rng is not None:
        X_adv = project_linf(X + np.random.default_rng(rng).uniform(-eps, eps, X.shape), X, eps, clip)
    for _ in range(steps):
        X_adv = pgd_step(X_adv, X, y, W, b, eps, step_size, clip)
    return X_adv
