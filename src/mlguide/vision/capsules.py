"""Capsules in NumPy: the squash nonlinearity, prediction vectors from transformation matrices, dynamic routing by
agreement (Sabour, Frosst and Hinton, 2017, Procedure 1) and the margin loss.

Backs the page `docs/vision/capsule-networks.md` and its notebook. NumPy only, so a downloaded notebook can inline
this file.

Shapes: a layer of `n_in` child capsules with `d_in`-dimensional outputs u feeds `n_out` parent capsules with
`d_out`-dimensional outputs v. Child i predicts parent j's output as u_hat[i, j] = W[i, j] @ u[i], so the
predictions have shape (..., n_in, n_out, d_out); any leading axes (a batch) are kept.
"""

from __future__ import annotations

import numpy as np


def _finite(name: str, a, min_ndim: int) -> np.ndarray:
    a = np.asarray(a, dtype=float)
    if a.ndim < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} axes, got shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name} is empty (shape {a.shape})")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return a


# --8<-- [start:squash]
def squash(s, axis=-1):
    """Squash vectors along `axis`: v = (|s|^2 / (1 + |s|^2)) s / |s|.

    The direction is kept and the length |v| = |s|^2 / (1 + |s|^2)
    lies in [0, 1): about |s|^2 for short vectors, close to 1 for
    long ones. Written as s |s| / (1 + |s|^2), it needs no special
    case at s = 0.
    """
    s = _finite("s", s, 1)
    norm = np.linalg.norm(s, axis=axis, keepdims=True)
    return s * norm / (1.0 + norm**2)
# --8<-- [end:squash]


def prediction_vectors(u, W):
    """Each child's prediction for each parent, u_hat[..., i, j, :] = W[i, j] @ u[..., i, :].

    u: (..., n_in, d_in) child outputs; W: (n_in, n_out, d_out, d_in) transformation matrices, one per (child, parent)
    pair. Returns (..., n_in, n_out, d_out).
    """
    u = _finite("u", u, 2)
    W = _finite("W", W, 4)
    if W.shape[0] != u.shape[-2] or W.shape[3] != u.shape[-1]:
        raise ValueError(f"W must have shape (n_in={u.shape[-2]}, n_out, d_out, d_in={u.shape[-1]}), got {W.shape}")
    return np.einsum("ijdk,...ik->...ijd", W, u)


# --8<-- [start:dynamic_routing]
def dynamic_routing(u_hat, iterations=3):
    """Routing by agreement. u_hat: predictions (..., n_in, n_out, d).

    Start from logits b = 0. Each iteration: couplings
    c[i, :] = softmax(b[i, :]) over the parents; parent input
    s_j = sum_i c_ij u_hat[i, j]; output v_j = squash(s_j); then
    b_ij += u_hat[i, j] . v_j, so a child sends more to parents that
    agree with its prediction. Returns (v, c): the outputs
    (..., n_out, d) and the couplings used for them (..., n_in, n_out).
    """
    u_hat = _finite("u_hat", u_hat, 3)
    if isinstance(iterations, bool) or not isinstance(iterations, (int, np.integer)) or iterations < 1:
        raise ValueError(f"iterations must be a positive integer, got {iterations!r}")
    b = np.zeros(u_hat.shape[:-1])
    for it in range(iterations):
        e = np.exp(b - b.max(axis=-1, keepdims=True))
        c = e / e.sum(axis=-1, keepdims=True)
        v = squash((c[..., None] * u_hat).sum(axis=-3))
        if it < iterations - 1:
            b = b + np.einsum("...ijd,...jd->...ij", u_hat, v)
    return v, c
# --8<-- [end:dynamic_routing]


# --8<-- [start:margin_loss]
def margin_loss(lengths, labels, m_plus=0.9, m_minus=0.1, lam=0.5):
    """Margin loss of Sabour et al., averaged over the batch.

    lengths: (n, K) lengths |v_k| of the K class capsules;
    labels: (n,) integer classes. For each example, sum over k of
    T_k max(0, m_plus - |v_k|)^2
      + lam (1 - T_k) max(0, |v_k| - m_minus)^2,
    with T_k = 1 for the true class and 0 otherwise.
    """
    lengths = _finite("lengths", lengths, 2)
    labels = np.asarray(labels)
    n, K = lengths.shape
    if labels.shape != (n,) or not np.issubdtype(labels.dtype, np.integer) or labels.min() < 0 or labels.max() >= K:
        raise ValueError(f"labels must be {n} integers in 0..{K - 1}")
    T = np.eye(K)[labels]
    present = T * np.maximum(0.0, m_plus - lengths) ** 2
    absent = lam * (1 - T) * np.maximum(0.0, lengths - m_minus) ** 2
    return float((present + absent).sum(axis=1).mean())
# --8<-- [end:margin_loss]
