"""Classification losses as code: a numerically stable log-softmax and the softmax cross-entropy with its gradient.

Backs the page `docs/foundations/loss-functions.md` and its notebook. NumPy only, so a downloaded notebook can
inline this file.
"""

from __future__ import annotations

import numpy as np


def _check_logits(logits) -> np.ndarray:
    z = np.asarray(logits, dtype=float)
    if z.ndim != 2 or z.shape[0] < 1 or z.shape[1] < 2:
        raise ValueError(f"logits must have shape (n, K) with n >= 1 and K >= 2, got {z.shape}")
    if not np.all(np.isfinite(z)):
        raise ValueError("logits must be finite")
    return z


# --8<-- [start:log_softmax]
def log_softmax(logits) -> np.ndarray:
    """Row-wise log-probabilities, log p_ik = z_ik - log(sum_j exp(z_ij)).

    logits: (n, K) array of finite real scores z, one row per example.
    Subtracting each row's maximum before exponentiating leaves the
    result unchanged (the shift cancels) but keeps exp() <= 1, so
    logits of 1000 neither overflow nor give log(0).
    """
    z = _check_logits(logits)
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
# --8<-- [end:log_softmax]


# --8<-- [start:softmax_cross_entropy]
def softmax_cross_entropy(logits, labels) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of softmax(logits) against integer labels, and its gradient.

    logits: (n, K) finite real scores; labels: (n,) integers in 0..K-1.
    loss = mean_i -log p_i[y_i], the multinomial negative log-likelihood
    (scikit-learn's log_loss of the softmax probabilities).
    grad = (softmax(logits) - onehot(labels)) / n, the derivative of
    the mean loss with respect to each logit. Returns (loss, grad).
    """
    logp = log_softmax(logits)
    y = np.asarray(labels)
    n, k = logp.shape
    if y.shape != (n,) or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"labels must be {n} integers, got shape {y.shape} and dtype {y.dtype}")
    if y.min() < 0 or y.max() >= k:
        raise ValueError(f"labels must lie in 0..{k - 1}")
    rows = np.arange(n)
    loss = -logp[rows, y].mean()
    grad = np.exp(logp)                # softmax probabilities
    grad[rows, y] -= 1.0               # p - onehot(y)
    return float(loss), grad / n
# --8<-- [end:softmax_cross_entropy]
