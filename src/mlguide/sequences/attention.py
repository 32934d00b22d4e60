"""Attention in NumPy: scaled dot-product attention with an optional mask, its backward pass, multi-head attention
from given projection matrices, a causal mask, sinusoidal positional encodings and the parameter count of a
multi-head attention layer.

Backs the page `docs/sequences/attention-and-transformers.md` and its notebook. NumPy only, so a downloaded
notebook can inline this file.

Conventions follow PyTorch:

- Sequences are (..., L, d): any leading batch (and head) axes, then positions, then features.
- A boolean `mask` is True where a query *may* attend to a key, as in
  `torch.nn.functional.scaled_dot_product_attention`. (`torch.nn.MultiheadAttention` uses the opposite convention:
  its boolean `attn_mask` and `key_padding_mask` are True where attention is *blocked*.)
- A query whose row of the mask is all False attends to nothing: its weights and its output are zero, which is what
  PyTorch's `scaled_dot_product_attention` returns for such a row.
- A projection matrix W has shape (d_out, d_in) and maps x to x @ W.T + b, as `torch.nn.Linear` does.
"""

from __future__ import annotations

import numpy as np


def _finite(name: str, a, min_ndim: int = 1) -> np.ndarray:
    a = np.asarray(a, dtype=float)
    if a.ndim < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} dimensions, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return a


def _check_scale(scale, d_k: int) -> float:
    if scale is None:
        return 1.0 / np.sqrt(d_k)
    if isinstance(scale, bool) or not isinstance(scale, (int, float, np.floating)) or not (
            np.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be a positive number, got {scale!r}")
    return float(scale)


def _check_qkv(q, k, v):
    q, k, v = _finite("q", q, 2), _finite("k", k, 2), _finite("v", v, 2)
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"q and k must have the same last dimension d_k, got {q.shape[-1]} and {k.shape[-1]}")
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(f"k and v must have the same number of positions, got {k.shape[-2]} and {v.shape[-2]}")
    if min(q.shape[-2:] + k.shape[-2:] + v.shape[-1:]) < 1:
        raise ValueError("q, k and v need at least one position and one feature each")
    try:
        np.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    except ValueError:
        raise ValueError(f"the batch axes of q {q.shape}, k {k.shape} and v {v.shape} do not broadcast") from None
    return q, k, v


def _check_mask(mask, n_queries: int, n_keys: int):
    if mask is None:
        return None
    mask = np.asarray(mask)
    if mask.dtype != bool:
        raise ValueError(f"mask must be boolean (True where a query may attend), got dtype {mask.dtype}")
    if mask.ndim < 2:
        raise ValueError(f"mask must have at least 2 dimensions (..., L_q, L_k), got shape {mask.shape}")
    try:
        np.broadcast_shapes(mask.shape[-2:], (n_queries, n_keys))
    except ValueError:
        raise ValueError(f"mask of shape {mask.shape} does not broadcast to (..., {n_queries}, {n_keys})") from None
    return mask


# --8<-- [start:causal_mask]
def causal_mask(n_queries, n_keys=None):
    """Boolean (n_queries, n_keys) mask, True where key j <= query i:
    each position sees itself and the past, never the future.
    Same as torch.ones(L, S, dtype=bool).tril(), PyTorch's is_causal."""
    n_keys = n_queries if n_keys is None else n_keys
    for name, n in (("n_queries", n_queries), ("n_keys", n_keys)):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"{name} must be a positive integer, got {n!r}")
    return np.tril(np.ones((n_queries, n_keys), dtype=bool))
# --8<-- [end:causal_mask]


# --8<-- [start:scaled_dot_product_attention]
def scaled_dot_product_attention(q, k, v, mask=None, causal=False,
                                 scale=None):
    """softmax(q k^T * scale) v, with scale = 1/sqrt(d_k) by default.

    q: (..., L_q, d_k), k: (..., L_k, d_k), v: (..., L_k, d_v).
    mask: boolean, broadcastable to (..., L_q, L_k), True where a
    query may attend; causal=True also blocks keys after the query.
    Returns (output (..., L_q, d_v), weights (..., L_q, L_k)).
    A query allowed no key gets zero weights and a zero output.
    """
    q, k, v = _check_qkv(q, k, v)
    scale = _check_scale(scale, q.shape[-1])
    allowed = _check_mask(mask, q.shape[-2], k.shape[-2])
    if causal:
        tri = causal_mask(q.shape[-2], k.shape[-2])
        allowed = tri if allowed is None else allowed & tri
    scores = (q @ np.swapaxes(k, -1, -2)) * scale
    if allowed is not None:
        scores = np.where(allowed, scores, -np.inf)
    top = scores.max(axis=-1, keepdims=True)
    any_key = np.isfinite(top)                  # False: row fully masked
    e = np.exp(scores - np.where(any_key, top, 0.0))   # exp(-inf) = 0
    total = e.sum(axis=-1, keepdims=True)
    weights = np.where(any_key, e / np.where(any_key, total, 1.0), 0.0)
    return weights @ v, weights
# --8<-- [end:scaled_dot_product_attention]


# --8<-- [start:attention_backward]
def attention_backward(d_out, q, k, v, weights, scale=None):
    """Gradients of a loss with respect to q, k and v, given
    d_out = dL/d(output) and the weights P the forward pass returned.

      dv = P^T d_out
      dP = d_out v^T
      dS = P * (dP - rowsum(dP * P))   (softmax backward; S = scores)
      dq = scale * dS k,   dk = scale * dS^T q
    Masked entries have P = 0, so no gradient flows through them.
    """
    q, k, v = _check_qkv(q, k, v)
    scale = _check_scale(scale, q.shape[-1])
    P = _finite("weights", weights, 2)
    d_out = _finite("d_out", d_out, 2)
    if P.shape[-2:] != (q.shape[-2], k.shape[-2]) or d_out.shape[-2:] != (q.shape[-2], v.shape[-1]):
        raise ValueError(f"weights must end in {(q.shape[-2], k.shape[-2])} and d_out in "
                         f"{(q.shape[-2], v.shape[-1])}, got {P.shape} and {d_out.shape}")
    dv = np.swapaxes(P, -1, -2) @ d_out
    dP = d_out @ np.swapaxes(v, -1, -2)
    dS = P * (dP - (dP * P).sum(axis=-1, keepdims=True))
    dq = scale * (dS @ k)
    dk = scale * (np.swapaxes(dS, -1, -2) @ q)
    return (_sum_to(dq, q.shape), _sum_to(dk, k.shape), _sum_to(dv, v.shape))
# --8<-- [end:attention_backward]


def _sum_to(g: np.ndarray, shape) -> np.ndarray:
    """Sum a broadcast gradient back down to an input's shape."""
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    axes = tuple(i for i, (a, b) in enumerate(zip(g.shape, shape)) if b == 1 and a != 1)
    return g.sum(axis=axes, keepdims=True) if axes else g


def _check_projection(name: str, w, d_in: int, d_out: int | None = None) -> np.ndarray:
    w = _finite(name, w, 2)
    if w.ndim != 2 or w.shape[1] != d_in or (d_out is not None and w.shape[0] != d_out):
        want = f"({d_out if d_out is not None else 'd'}, {d_in})"
        raise ValueError(f"{name} must have shape {want}, got {w.shape}")
    return w


def _check_bias(name: str, b, d: int):
    if b is None:
        return 0.0
    b = _finite(name, b, 1)
    if b.shape != (d,):
        raise ValueError(f"{name} must have shape ({d},), got {b.shape}")
    return b


# --8<-- [start:multi_head_attention]
def multi_head_attention(query, key, value, w_q, w_k, w_v, w_o,
                         num_heads, b_q=None, b_k=None, b_v=None,
                         b_o=None, mask=None, causal=False):
    """Multi-head attention with given projections (shape (d, d_in),
    applied as x @ W.T + b, like torch.nn.Linear).

    query: (..., L_q, d_q); key and value: (..., L_k, d_kv). Each of
    the h = num_heads heads attends with its own d/h columns of the
    projected queries, keys and values; the h outputs are
    concatenated and mixed by w_o (d, d). mask as in
    scaled_dot_product_attention, shared by all heads.
    Returns (output (..., L_q, d), weights (..., h, L_q, L_k)).
    """
    query, key, value = (_finite(n, a, 2) for n, a in
                         (("query", query), ("key", key), ("value", value)))
    w_q = _check_projection("w_q", w_q, query.shape[-1])
    d = w_q.shape[0]
    w_k = _check_projection("w_k", w_k, key.shape[-1], d)
    w_v = _check_projection("w_v", w_v, value.shape[-1], d)
    w_o = _check_projection("w_o", w_o, d, d)
    if (isinstance(num_heads, bool) or not isinstance(num_heads, (int, np.integer))
            or num_heads < 1 or d % num_heads):
        raise ValueError(f"num_heads must be a positive integer dividing d = {d}, got {num_heads!r}")
    h = int(num_heads)

    def heads(x, w, b, name):          # (..., L, d) -> (..., h, L, d/h)
        y = x @ w.T + _check_bias(name, b, d)
        y = y.reshape(y.shape[:-1] + (h, d // h))
        return np.swapaxes(y, -2, -3)

    Q = heads(query, w_q, b_q, "b_q")
    K = heads(key, w_k, b_k, "b_k")
    V = heads(value, w_v, b_v, "b_v")
    if mask is not None:               # one mask for every head
        mask = _check_mask(mask, Q.shape[-2], K.shape[-2])
        mask = np.expand_dims(mask, -3)
    ctx, weights = scaled_dot_product_attention(Q, K, V, mask, causal)
    ctx = np.swapaxes(ctx, -2, -3)     # (..., L_q, h, d/h)
    ctx = ctx.reshape(ctx.shape[:-2] + (d,))
    return ctx @ w_o.T + _check_bias("b_o", b_o, d), weights
# --8<-- [end:multi_head_attention]


# --8<-- [start:mha_parameter_count]
def mha_parameter_count(d_model, num_heads, bias=True):
    """Parameters of one multi-head attention layer of width d:
    W_q, W_k, W_v, W_o are d x d whatever the number of heads, so
    4 d^2, plus 4 d biases: 4 d^2 + 4 d."""
    for name, n in (("d_model", d_model), ("num_heads", num_heads)):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"{name} must be a positive integer, got {n!r}")
    if d_model % num_heads:
        raise ValueError(f"num_heads ({num_heads}) must divide d_model ({d_model})")
    return 4 * d_model * d_model + (4 * d_model if bias else 0)
# --8<-- [end:mha_parameter_count]


# --8<-- [start:sinusoidal_positions]
def sinusoidal_positions(n_positions, d_model, base=10000.0):
    """The (n_positions, d_model) sinusoidal encoding of Vaswani et al.:
    PE[p, 2i] = sin(p / base^(2i/d)), PE[p, 2i+1] = cos(p / base^(2i/d)).
    Each sin/cos pair turns at its own frequency, so PE[p + m] is a
    fixed rotation of PE[p] and PE[p] . PE[p + m] depends on m only."""
    for name, n in (("n_positions", n_positions), ("d_model", d_model)):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"{name} must be a positive integer, got {n!r}")
    if d_model % 2:
        raise ValueError(f"d_model must be even (sin/cos pairs), got {d_model}")
    if not (isinstance(base, (int, float, np.floating)) and np.isfinite(base) and base > 1):
        raise ValueError(f"base must be a number above 1, got {base!r}")
    p = np.arange(n_positions)[:, None]
    freq = base ** (-np.arange(0, d_model, 2) / d_model)
    pe = np.empty((n_positions, d_model))
    pe[:, 0::2] = np.sin(p * freq)
    pe[:, 1::2] = np.cos(p * freq)
    return pe
# --8<-- [end:sinusoidal_positions]
