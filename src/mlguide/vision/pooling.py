"""Pooling in NumPy: max- and average-pooling with a kernel, a stride and padding, an integer image shift with zero
fill, and the shift consistency of a classifier (the fraction of predictions a shift leaves unchanged).

Backs the page `docs/vision/invariance-and-pooling.md` and its notebook. NumPy only, so a downloaded notebook can
inline this file.

Layout follows PyTorch: the last two axes are height and width, any leading axes (batch, channels) are kept. Output
sizes follow `torch.nn.functional.max_pool2d` / `avg_pool2d` with `ceil_mode=False`:
out = floor((H + 2 * padding - kernel) / stride) + 1 along each spatial axis.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def _pair(name: str, value, minimum: int) -> tuple[int, int]:
    values = value if isinstance(value, (tuple, list)) else (value, value)
    if len(values) != 2:
        raise ValueError(f"{name} must be an integer or a pair of integers, got {value!r}")
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < minimum:
            raise ValueError(f"{name} must be an integer >= {minimum} (or a pair of them), got {value!r}")
        out.append(int(v))
    return out[0], out[1]


def _windows(x, kernel, stride, padding, fill):
    """All pooling windows of x, shape (..., out_h, out_w, kh, kw), and the padded-input mask's windows."""
    x = np.asarray(x, dtype=float)
    if x.ndim < 2:
        raise ValueError(f"x must have at least two (spatial) axes, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("x contains NaN or infinite values")
    kh, kw = _pair("kernel", kernel, 1)
    sh, sw = _pair("stride", kernel if stride is None else stride, 1)
    ph, pw = _pair("padding", padding, 0)
    if ph > kh // 2 or pw > kw // 2:
        raise ValueError(f"padding {padding!r} must be at most half the kernel {kernel!r}, as in PyTorch")
    H, W = x.shape[-2:]
    if H + 2 * ph < kh or W + 2 * pw < kw:
        raise ValueError(f"the kernel {kernel!r} is larger than the padded input ({H + 2 * ph} x {W + 2 * pw})")
    pad = [(0, 0)] * (x.ndim - 2) + [(ph, ph), (pw, pw)]
    xp = np.pad(x, pad, constant_values=fill)
    inside = np.pad(np.ones((H, W)), [(ph, ph), (pw, pw)])
    win = sliding_window_view(xp, (kh, kw), axis=(-2, -1))[..., ::sh, ::sw, :, :]
    mask = sliding_window_view(inside, (kh, kw))[::sh, ::sw, :, :]
    return win, mask


# --8<-- [start:max_pool2d]
def max_pool2d(x, kernel, stride=None, padding=0):
    """Max-pooling over the last two axes of x.

    Each output is the largest value in a kernel x kernel window;
    windows start every `stride` pixels (default: kernel, so they
    do not overlap). `padding` pixels of -inf are added on each
    side, so padding never wins the max. Output size per axis:
    floor((H + 2 * padding - kernel) / stride) + 1.
    """
    win, _ = _windows(x, kernel, stride, padding, fill=-np.inf)
    return win.max(axis=(-2, -1))
# --8<-- [end:max_pool2d]


# --8<-- [start:avg_pool2d]
def avg_pool2d(x, kernel, stride=None, padding=0, count_include_pad=True):
    """Average-pooling over the last two axes of x.

    Each output is the mean of a kernel x kernel window, with zeros
    as padding. count_include_pad=True (PyTorch's default) divides
    by the full window size; False divides by the number of real
    (unpadded) pixels in the window.
    """
    win, mask = _windows(x, kernel, stride, padding, fill=0.0)
    total = win.sum(axis=(-2, -1))
    if count_include_pad:
        return total / (win.shape[-2] * win.shape[-1])
    return total / mask.sum(axis=(-2, -1))
# --8<-- [end:avg_pool2d]


def _shift_amount(name: str, value, size: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer number of pixels, got {value!r}")
    if abs(value) >= size:
        raise ValueError(f"|{name}| = {abs(value)} must be smaller than the image size {size}")
    return int(value)


def shift_images(images, dy, dx):
    """Move the content of the last two axes down by dy and right by dx pixels (negative: up, left), filling the
    uncovered border with zeros. Content shifted past the edge is lost (no wrap-around, unlike np.roll). A
    floating-point input keeps its dtype; any other becomes float64."""
    images = np.asarray(images)
    if not np.issubdtype(images.dtype, np.floating):
        images = images.astype(float)
    if images.ndim < 2:
        raise ValueError(f"images must have at least two (spatial) axes, got shape {images.shape}")
    H, W = images.shape[-2:]
    dy, dx = _shift_amount("dy", dy, H), _shift_amount("dx", dx, W)
    out = np.zeros_like(images)
    src_r, dst_r = slice(max(-dy, 0), H - max(dy, 0)), slice(max(dy, 0), H - max(-dy, 0))
    src_c, dst_c = slice(max(-dx, 0), W - max(dx, 0)), slice(max(dx, 0), W - max(-dx, 0))
    out[..., dst_r, dst_c] = images[..., src_r, src_c]
    return out


# --8<-- [start:shift_consistency]
def shift_consistency(predict, images, dy, dx):
    """Fraction of images whose predicted class is unchanged when the
    image is shifted by (dy, dx) pixels with zero fill.

    predict: a function from an array of images (n, ..., H, W) to
    n class labels. Returns a number in [0, 1]; 1 means every
    prediction survived the shift (correct or not).
    """
    images = np.asarray(images, dtype=float)
    before = np.asarray(predict(images))
    after = np.asarray(predict(shift_images(images, dy, dx)))
    if before.shape != (len(images),) or after.shape != before.shape:
        raise ValueError(f"predict must return one label per image, got shapes {before.shape} and {after.shape}")
    return float(np.mean(before == after))
# --8<-- [end:shift_consistency]
