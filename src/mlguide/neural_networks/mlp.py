"""A multilayer perceptron in NumPy: He initialization, forward pass, softmax cross-entropy, backward pass, SGD.

Backs the page `docs/neural-networks/neural-network-from-scratch.md` and its notebook. NumPy only, so a downloaded
notebook can inline this file.

Parameters are a list of (W, b) pairs, one per layer: W has shape (d_in, d_out) and b shape (d_out,), so a batch of
n rows X (n, d_in) maps to X @ W + b (n, d_out). Hidden layers use ReLU; the last layer returns logits.

`numerical_gradient(f, x)` and `relative_error(a, b)` are general helpers that other pages' notebooks import to check
any gradient by central differences.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

Params = list[tuple[np.ndarray, np.ndarray]]


def _check_X(params: Params, X) -> np.ndarray:
    if not params:
        raise ValueError("params is empty: build it with init_mlp")
    X = np.asarray(X, dtype=float)
    d_in = params[0][0].shape[0]
    if X.ndim != 2 or X.shape[1] != d_in or len(X) < 1:
        raise ValueError(f"X must have shape (n, {d_in}) with n >= 1, got {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X contains NaN or infinite values")
    return X


def _check_labels(y, n: int, n_classes: int) -> np.ndarray:
    y = np.asarray(y)
    if y.shape != (n,):
        raise ValueError(f"y must have shape ({n},), one label per row, got {y.shape}")
    if not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"y must hold integer class labels 0..{n_classes - 1}, got dtype {y.dtype}")
    if y.min() < 0 or y.max() >= n_classes:
        raise ValueError(f"labels must lie in 0..{n_classes - 1}, got {y.min()}..{y.max()}")
    return y


# --8<-- [start:init_mlp]
def init_mlp(sizes: Sequence[int], seed: int = 0) -> Params:
    """He initialization for a ReLU network with layer widths `sizes`.

    sizes: [d_in, h_1, ..., h_k, C], at least two positive integers.
    Returns [(W1, b1), ..., (W_L, b_L)] with W_l of shape
    (sizes[l-1], sizes[l]) drawn from N(0, 2 / fan_in) and b_l = 0.
    """
    if len(sizes) < 2 or any(int(s) != s or s < 1 for s in sizes):
        raise ValueError(f"sizes must be >= 2 positive integers, got {sizes!r}")
    rng = np.random.default_rng(seed)
    return [(rng.normal(0.0, np.sqrt(2.0 / m), size=(m, k)), np.zeros(k))
            for m, k in zip(sizes[:-1], sizes[1:])]
# --8<-- [end:init_mlp]


# --8<-- [start:mlp_forward]
def mlp_forward(params: Params, X):
    """Forward pass. X: (n, d_in). Returns (logits, cache).

    Each layer computes Z = A_prev @ W + b (n, d_out); hidden layers
    apply ReLU, A = max(Z, 0); the last layer's Z are the logits
    (n, C). cache holds (A_prev, Z) per layer for the backward pass.
    """
    A = _check_X(params, X)
    cache = []
    for l, (W, b) in enumerate(params):
        Z = A @ W + b
        cache.append((A, Z))
        A = np.maximum(Z, 0.0) if l < len(params) - 1 else Z
    return A, cache
# --8<-- [end:mlp_forward]


# --8<-- [start:softmax_cross_entropy]
def softmax_cross_entropy(logits, y):
    """Mean cross-entropy of softmax(logits) against labels y.

    logits: (n, C); y: (n,) integers in 0..C-1. Returns (loss, dZ)
    with dZ = (P - Y) / n, the gradient of the loss with respect to
    the logits (P the softmax probabilities, Y the one-hot labels).
    Subtracting each row's maximum first (log-sum-exp) keeps exp
    from overflowing; the result is unchanged.
    """
    Z = np.asarray(logits, dtype=float)
    if Z.ndim != 2:
        raise ValueError(f"logits must have shape (n, C), got {Z.shape}")
    n = len(Z)
    y = _check_labels(y, n, Z.shape[1])
    Zs = Z - Z.max(axis=1, keepdims=True)
    log_P = Zs - np.log(np.exp(Zs).sum(axis=1, keepdims=True))
    loss = -log_P[np.arange(n), y].mean()
    dZ = np.exp(log_P)
    dZ[np.arange(n), y] -= 1.0
    return float(loss), dZ / n
# --8<-- [end:softmax_cross_entropy]


# --8<-- [start:mlp_backward]
def mlp_backward(params: Params, cache, dZ) -> Params:
    """Backward pass from dZ = dLoss/dlogits (n, C).

    For each layer, last to first: dW = A_prev^T dZ, db = column
    sums of dZ, then dA_prev = dZ W^T and, through the ReLU,
    dZ_prev = dA_prev * (Z_prev > 0). Returns [(dW1, db1), ...],
    each the shape of its parameter.
    """
    dZ = np.asarray(dZ, dtype=float)
    if len(cache) != len(params) or dZ.shape != cache[-1][1].shape:
        raise ValueError("dZ and cache must come from mlp_forward on these params")
    grads = [None] * len(params)
    for l in reversed(range(len(params))):
        A_prev, _ = cache[l]
        grads[l] = (A_prev.T @ dZ, dZ.sum(axis=0))
        if l > 0:
            dZ = (dZ @ params[l][0].T) * (cache[l - 1][1] > 0)
    return grads
# --8<-- [end:mlp_backward]


# --8<-- [start:sgd_step]
def sgd_step(params: Params, grads: Params, lr: float) -> None:
    """One SGD step in place: W -= lr * dW and b -= lr * db."""
    if not np.isfinite(lr) or lr <= 0:
        raise ValueError(f"lr must be a finite number > 0, got {lr!r}")
    for (W, b), (dW, db) in zip(params, grads, strict=True):
        W -= lr * dW
        b -= lr * db
# --8<-- [end:sgd_step]


def mlp_loss(params: Params, X, y) -> float:
    """The mean softmax cross-entropy of the network on (X, y)."""
    logits, _ = mlp_forward(params, X)
    return softmax_cross_entropy(logits, y)[0]


def mlp_loss_and_grads(params: Params, X, y) -> tuple[float, Params]:
    """Forward, loss and backward in one call: returns (loss, grads)."""
    logits, cache = mlp_forward(params, X)
    loss, dZ = softmax_cross_entropy(logits, y)
    return loss, mlp_backward(params, cache, dZ)


def predict(params: Params, X) -> np.ndarray:
    """Predicted class per row: the argmax of the logits."""
    return mlp_forward(params, X)[0].argmax(axis=1)


# --8<-- [start:train_mlp]
def train_mlp(params: Params, X, y, lr: float = 0.1,
              epochs: int = 20, batch_size: int = 32,
              seed: int = 0) -> list[float]:
    """Mini-batch SGD in place. Each epoch reshuffles the rows with
    rng.permutation(n), rng = default_rng(seed), and takes one step
    per batch of batch_size rows (the last may be smaller).
    Returns the mean training loss of each epoch's batches.
    """
    X = _check_X(params, X)
    y = _check_labels(y, len(X), params[-1][0].shape[1])
    if epochs < 1 or batch_size < 1:
        raise ValueError("epochs and batch_size must be >= 1")
    rng = np.random.default_rng(seed)
    history = []
    for _ in range(epochs):
        order, losses = rng.permutation(len(X)), []
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            loss, grads = mlp_loss_and_grads(params, X[idx], y[idx])
            sgd_step(params, grads, lr)
            losses.append(loss)
        history.append(float(np.mean(losses)))
    return history
# --8<-- [end:train_mlp]


# --8<-- [start:numerical_gradient]
def numerical_gradient(f: Callable[[np.ndarray], float], x,
                       eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of a scalar function f at x.

    f: takes an array shaped like x and returns a number.
    x: the point (any shape); it is copied, never modified.
    Returns g shaped like x, g[i] = (f(x + eps e_i) - f(x - eps e_i))
    / (2 eps): error O(eps^2) from the Taylor series plus about
    1e-16 * |f| / eps from rounding, so use float64 and eps near 1e-6.
    Costs 2 * x.size calls of f: check a small network.
    """
    if not np.isfinite(eps) or eps <= 0:
        raise ValueError(f"eps must be a finite number > 0, got {eps!r}")
    x = np.array(x, dtype=float)  # a float copy we perturb in place
    grad = np.empty_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        f_plus = f(x)
        x[i] = old - eps
        f_minus = f(x)
        x[i] = old
        if np.ndim(f_plus) != 0:
            raise ValueError("f must return a scalar")
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad
# --8<-- [end:numerical_gradient]


# --8<-- [start:relative_error]
def relative_error(a, b) -> float:
    """||a - b|| / (||a|| + ||b||), 0 if both are zero: a scale-free
    gap between two gradients. About 1e-7 or less in float64 means
    they agree; 1e-2 or more means a bug."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} vs {b.shape}")
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)
# --8<-- [end:relative_error]
