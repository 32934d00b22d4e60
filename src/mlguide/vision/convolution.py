"""Two-dimensional convolution in NumPy, as deep-learning libraries define it (cross-correlation), with several input
and output channels, stride, zero padding and dilation; the output-size formula; and the parameter and
multiply-accumulate counts of a convolutional layer against a fully connected one.

Backs the pages `docs/vision/convolutional-networks.md` and `docs/vision/small-kernels.md` and their notebooks.
NumPy only, so a downloaded notebook can inline this file.

Layout follows PyTorch: images are (N, C, H, W) (batch, channels, height, width) and a weight tensor is
(C_out, C_in / groups, k_h, k_w).
"""

from __future__ import annotations

import numpy as np


def _positive_int(name: str, value, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _pair(name: str, value, minimum: int) -> tuple[int, int]:
    """An int, or a pair of ints (height, width), as two checked ints."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair (height, width), got {value!r}")
        return _positive_int(name, value[0], minimum), _positive_int(name, value[1], minimum)
    v = _positive_int(name, value, minimum)
    return v, v


# --8<-- [start:conv_output_size]
def conv_output_size(n, kernel, stride=1, padding=0, dilation=1):
    """Output length along one axis of a convolution or pooling layer.

    n input positions, zero padding p on each side, a kernel of k taps
    spaced d apart (so it spans d*(k-1) + 1 positions), stride s:
        floor((n + 2p - d*(k-1) - 1) / s) + 1.
    Raises ValueError when the padded input is shorter than the kernel.
    """
    n = _positive_int("n", n)
    k = _positive_int("kernel", kernel)
    s = _positive_int("stride", stride)
    p = _positive_int("padding", padding, minimum=0)
    d = _positive_int("dilation", dilation)
    span = d * (k - 1) + 1
    if n + 2 * p < span:
        raise ValueError(f"the kernel spans {span} positions but the "
                         f"padded input has only {n + 2 * p}")
    return (n + 2 * p - span) // s + 1
# --8<-- [end:conv_output_size]


# --8<-- [start:conv2d]
def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1):
    """2-D convolution as in torch.nn.functional.conv2d.

    x: (N, C_in, H, W); weight: (C_out, C_in, k_h, k_w); bias: (C_out,)
    or None. stride, padding and dilation: an int or a pair (h, w).
    Cross-correlation, like every deep-learning library:
      y[n, o, i, j] = b[o] + sum over c, u, v of
          w[o, c, u, v] * xp[n, c, s_h*i + d_h*u, s_w*j + d_w*v],
    with xp the input zero-padded by p on each side. Returns
    (N, C_out, H_out, W_out), sizes from conv_output_size.
    """
    x = np.asarray(x, dtype=float)
    w = np.asarray(weight, dtype=float)
    if x.ndim != 4 or w.ndim != 4:
        raise ValueError(f"x must be (N, C_in, H, W) and weight (C_out, "
                         f"C_in, k_h, k_w); got {x.shape}, {w.shape}")
    if x.shape[1] != w.shape[1]:
        raise ValueError(f"x has {x.shape[1]} channels, the weight "
                         f"expects {w.shape[1]}")
    if 0 in x.shape or 0 in w.shape:
        raise ValueError("x and weight must not be empty")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(w))):
        raise ValueError("x and weight must be finite")
    (sh, sw), (ph, pw) = _pair("stride", stride, 1), _pair("padding", padding, 0)
    dh, dw = _pair("dilation", dilation, 1)
    c_out, _, kh, kw = w.shape
    h_out = conv_output_size(x.shape[2], kh, sh, ph, dh)
    w_out = conv_output_size(x.shape[3], kw, sw, pw, dw)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    y = np.zeros((x.shape[0], c_out, h_out, w_out))
    for u in range(kh):                  # one kernel tap at a time:
        for v in range(kw):              # the input it sees, everywhere
            top, left = dh * u, dw * v
            patch = xp[:, :, top:top + sh * (h_out - 1) + 1:sh,
                       left:left + sw * (w_out - 1) + 1:sw]
            y += np.einsum("nchw,oc->nohw", patch, w[:, :, u, v])
    if bias is not None:
        b = np.asarray(bias, dtype=float)
        if b.shape != (c_out,):
            raise ValueError(f"bias must have shape ({c_out},), got {b.shape}")
        y += b.reshape(1, c_out, 1, 1)
    return y
# --8<-- [end:conv2d]


# --8<-- [start:layer_counts]
def conv2d_counts(c_in, c_out, kernel, h_out, w_out, groups=1, bias=True):
    """Parameters and multiply-accumulates (MACs) of a conv layer.

    Each of the c_out filters sees c_in/groups channels through a
    k_h x k_w window: c_out * (c_in/groups) * k_h * k_w weights, plus
    c_out biases. Every weight is used once per output position, so
    MACs = weights * h_out * w_out (biases are adds, not counted).
    groups = c_in = c_out is a depthwise convolution.
    """
    c_in, c_out = _positive_int("c_in", c_in), _positive_int("c_out", c_out)
    kh, kw = _pair("kernel", kernel, 1)
    h_out, w_out = _positive_int("h_out", h_out), _positive_int("w_out", w_out)
    g = _positive_int("groups", groups)
    if c_in % g or c_out % g:
        raise ValueError(f"groups={g} must divide c_in={c_in} and c_out={c_out}")
    weights = c_out * (c_in // g) * kh * kw
    return {"parameters": weights + (c_out if bias else 0),
            "macs": weights * h_out * w_out}


def linear_counts(n_in, n_out, bias=True):
    """Parameters and MACs of a fully connected layer on one example:
    an n_out x n_in weight matrix (each weight used once) + n_out biases."""
    n_in, n_out = _positive_int("n_in", n_in), _positive_int("n_out", n_out)
    return {"parameters": n_in * n_out + (n_out if bias else 0),
            "macs": n_in * n_out}
# --8<-- [end:layer_counts]
