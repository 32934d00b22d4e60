"""Residual blocks for fully connected layers in NumPy: the forward pass, the backward pass (a vector-Jacobian product)
and the Jacobian of one example, in the original (post-activation) and the pre-activation forms.

Backs the page `docs/vision/residual-networks.md` and its notebook. NumPy only, so a downloaded notebook can inline
this file. Batch normalization is left out so that every line can be checked by hand; the page explains where it goes.

Layout follows PyTorch's `nn.Linear`: a batch x has shape (N, d_in), a weight matrix W has shape (d_out, d_in) and a
layer computes x @ W.T + b. With relu(t) = max(t, 0) and the residual branch F(x) = relu(x W1^T + b1) W2^T + b2:

- original block (He et al., 2016a):       y = relu(s(x) + F(x)),       s(x) = x or x Ws^T
- pre-activation block (He et al., 2016b): y = s(x) + F(relu(x)),       s(x) = x or relu(x) Ws^T

The shortcut is the identity, or a projection with weights Ws when the block changes the width. In the pre-activation
form the projection, like the branch, takes the pre-activated input relu(x), as in He et al.'s pre-activation networks
(where the first block of a stage applies batch norm and ReLU before splitting); an identity shortcut takes x itself.
"""

from __future__ import annotations

import numpy as np


def _finite(name: str, a, ndim: int) -> np.ndarray:
    a = np.asarray(a, dtype=float)
    if a.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return a


def _check_block(x, W1, b1, W2, b2, Ws):
    x = _finite("x", x, 2)
    W1, W2 = _finite("W1", W1, 2), _finite("W2", W2, 2)
    b1, b2 = _finite("b1", b1, 1), _finite("b2", b2, 1)
    n, d_in = x.shape
    if n < 1 or d_in < 1:
        raise ValueError(f"x must hold at least one example and one feature, got shape {x.shape}")
    d_hidden, d_out = W1.shape[0], W2.shape[0]
    if W1.shape[1] != d_in:
        raise ValueError(f"W1 must have shape (d_hidden, {d_in}), got {W1.shape}")
    if b1.shape != (d_hidden,) or W2.shape[1] != d_hidden or b2.shape != (d_out,):
        raise ValueError(f"b1 must have shape ({d_hidden},), W2 ({d_out}, {d_hidden}) and b2 ({d_out},); "
                         f"got {b1.shape}, {W2.shape} and {b2.shape}")
    if Ws is None:
        if d_out != d_in:
            raise ValueError(f"an identity shortcut needs d_out == d_in, got {d_out} and {d_in}: "
                             "pass a projection Ws of shape (d_out, d_in)")
    else:
        Ws = _finite("Ws", Ws, 2)
        if Ws.shape != (d_out, d_in):
            raise ValueError(f"Ws must have shape ({d_out}, {d_in}), got {Ws.shape}")
    return x, W1, b1, W2, b2, Ws


# --8<-- [start:residual_block_forward]
def residual_block_forward(x, W1, b1, W2, b2, Ws=None,
                           preactivation=False):
    """Fully connected residual block; x: (N, d_in), W: (d_out, d_in).

    Branch F(u) = relu(u W1^T + b1) W2^T + b2 on the branch input u.
    Shortcut s = x, or u Ws^T (a projection) when the width changes.
    original (He et al. 2016a):  u = x,        y = relu(s + F(u))
    pre-activation (2016b):      u = relu(x),  y = s + F(u)
    Returns (y, cache) for residual_block_backward.
    """
    x, W1, b1, W2, b2, Ws = _check_block(x, W1, b1, W2, b2, Ws)
    u = np.maximum(x, 0.0) if preactivation else x   # branch input
    a1 = u @ W1.T + b1
    h = np.maximum(a1, 0.0)
    f = h @ W2.T + b2                                 # F: the residual
    s = x if Ws is None else u @ Ws.T                 # the shortcut
    z = s + f
    y = z if preactivation else np.maximum(z, 0.0)
    cache = (x, u, a1, h, z, W1, W2, Ws, preactivation)
    return y, cache
# --8<-- [end:residual_block_forward]


# --8<-- [start:residual_block_backward]
def residual_block_backward(dy, cache):
    """Gradients of the loss from dy = dL/dy, shaped like y.

    The gradient reaches x along two paths that add: the shortcut
    (dz itself, or dz Ws, which meets the branch at u) and the branch
    (through W2, the ReLU and W1). Returns a dict with dx, dW1, db1, dW2, db2 and dWs (None
    for an identity shortcut).
    """
    x, u, a1, h, z, W1, W2, Ws, preactivation = cache
    dy = _finite("dy", dy, 2)
    if dy.shape != z.shape:
        raise ValueError(f"dy must have shape {z.shape}, got {dy.shape}")
    dz = dy if preactivation else dy * (z > 0)
    dW2, db2 = dz.T @ h, dz.sum(axis=0)
    da1 = (dz @ W2) * (a1 > 0)
    dW1, db1 = da1.T @ u, da1.sum(axis=0)
    du = da1 @ W1 + (0.0 if Ws is None else dz @ Ws)  # both use u
    dx_u = du * (x > 0) if preactivation else du
    dx = dx_u + dz if Ws is None else dx_u           # + identity
    dWs = None if Ws is None else dz.T @ u
    return {"dx": dx, "dW1": dW1, "db1": db1,
            "dW2": dW2, "db2": db2, "dWs": dWs}
# --8<-- [end:residual_block_backward]


# --8<-- [start:residual_block_jacobian]
def residual_block_jacobian(x, W1, b1, W2, b2, Ws=None,
                            preactivation=False):
    """Jacobian dy/dx (d_out, d_in) of the block at one example x.

    Pre-activation, identity shortcut:
        J = I + W2 diag(1[a1 > 0]) W1 diag(1[x > 0]).
    A projection puts Ws diag(1[x > 0]) in place of I; the original
    block uses Ws and multiplies the sum by diag(1[z > 0]).
    """
    x = _finite("x", x, 1)
    y, (_, _, a1, _, z, W1, W2, Ws, _) = residual_block_forward(
        x[None, :], W1, b1, W2, b2, Ws, preactivation)
    J_u = W2 @ ((a1[0] > 0)[:, None] * W1)            # d(branch)/du
    if Ws is not None:
        J_u = J_u + Ws                                # projection of u
    if preactivation:
        J_u = J_u * (x > 0)[None, :]                  # du/dx
    J = J_u if Ws is not None else np.eye(x.size) + J_u
    return J if preactivation else (z[0] > 0)[:, None] * J
# --8<-- [end:residual_block_jacobian]
