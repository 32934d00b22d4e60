"""Transfer learning helpers: what each way of adapting a pretrained layer trains, a LoRA layer's forward and backward
pass, and per-layer (discriminative) learning rates.

Backs the page `docs/neural-networks/transfer-learning.md` and its notebook. NumPy only, so a downloaded notebook can
inline this file.

Shapes follow PyTorch's `nn.Linear`: a layer with weight W0 of shape (d, k) maps a batch X of shape (n, k) to
X @ W0.T, of shape (n, d). LoRA adds the update (alpha / r) * B @ A with B of shape (d, r) and A of shape (r, k).
"""

from __future__ import annotations

import numpy as np


def _positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


# --8<-- [start:lora_parameter_count]
def lora_parameter_count(d: int, k: int, r: int) -> dict[str, int]:
    """Trainable parameters when adapting one d x k weight matrix.

    full: every weight, d * k.
    lora: a rank-r update B @ A with B (d x r) and A (r x k),
          r * (d + k) weights; r must not exceed min(d, k).
    fraction: lora / full.
    """
    d, k, r = (_positive_int(n, v) for n, v in (("d", d), ("k", k), ("r", r)))
    if r > min(d, k):
        raise ValueError(f"rank r = {r} exceeds min(d, k) = {min(d, k)}: "
                         "a d x k matrix has no higher rank")
    full, lora = d * k, r * (d + k)
    return {"full": full, "lora": lora, "fraction": lora / full}
# --8<-- [end:lora_parameter_count]


def _check_lora(X, W0, A, B) -> tuple[np.ndarray, ...]:
    X, W0, A, B = (np.asarray(a, dtype=float) for a in (X, W0, A, B))
    if W0.ndim != 2 or A.ndim != 2 or B.ndim != 2:
        raise ValueError("W0, A and B must be matrices")
    d, k = W0.shape
    r = A.shape[0]
    if A.shape != (r, k) or B.shape != (d, r) or r < 1:
        raise ValueError(f"with W0 of shape {(d, k)}, A must be (r, {k}) and B ({d}, r) for one r >= 1; "
                         f"got A {A.shape}, B {B.shape}")
    if X.ndim != 2 or X.shape[1] != k:
        raise ValueError(f"X must have shape (n, {k}), got {X.shape}")
    if not all(np.all(np.isfinite(a)) for a in (X, W0, A, B)):
        raise ValueError("inputs contain NaN or infinite values")
    return X, W0, A, B


# --8<-- [start:lora_forward_backward]
def lora_forward_backward(X, W0, A, B, alpha: float, G=None):
    """A LoRA layer, H = X W0^T + s X A^T B^T with s = alpha / r.

    X (n, k) inputs; W0 (d, k) frozen weights; A (r, k), B (d, r).
    G (n, d), optional: dL/dH from the layer above.
    Returns H, or (H, dL/dA, dL/dB) when G is given;
    W0 gets no gradient, it is frozen.
    """
    X, W0, A, B = _check_lora(X, W0, A, B)
    if not np.isfinite(alpha) or alpha <= 0:
        raise ValueError(f"alpha must be a positive number, got {alpha!r}")
    s = alpha / A.shape[0]
    XA = X @ A.T                      # (n, r): the low-rank code
    H = X @ W0.T + s * XA @ B.T       # (n, d)
    if G is None:
        return H
    G = np.asarray(G, dtype=float)
    if G.shape != H.shape:
        raise ValueError(f"G must have the output's shape {H.shape}, got {G.shape}")
    grad_B = s * G.T @ XA             # (d, r)
    grad_A = s * (G @ B).T @ X        # (r, k): zero while B = 0
    return H, grad_A, grad_B
# --8<-- [end:lora_forward_backward]


def lora_merge(W0, A, B, alpha: float) -> np.ndarray:
    """The merged weight W0 + (alpha / r) B @ A: one matrix, so inference costs what the original layer cost."""
    W0 = np.asarray(W0, dtype=float)
    X = np.zeros((1, W0.shape[1] if W0.ndim == 2 else 0))
    _, W0, A, B = _check_lora(X, W0, A, B)
    if not np.isfinite(alpha) or alpha <= 0:
        raise ValueError(f"alpha must be a positive number, got {alpha!r}")
    return W0 + (alpha / A.shape[0]) * B @ A


# --8<-- [start:layerwise_learning_rates]
def layerwise_learning_rates(top_lr: float, n_layers: int,
                             decay: float = 2.6) -> list[float]:
    """Discriminative learning rates, bottom layer first.

    Layer l of L (1 = nearest the input) gets
    top_lr / decay ** (L - l): the top layer top_lr, each
    layer below it `decay` times less (ULMFiT used 2.6).
    """
    n_layers = _positive_int("n_layers", n_layers)
    if not np.isfinite(top_lr) or top_lr <= 0:
        raise ValueError(f"top_lr must be a positive number, got {top_lr!r}")
    if not np.isfinite(decay) or decay < 1:
        raise ValueError(f"decay must be >= 1 (1 means one rate for all), got {decay!r}")
    return [top_lr / decay ** (n_layers - l) for l in range(1, n_layers + 1)]
# --8<-- [end:layerwise_learning_rates]
