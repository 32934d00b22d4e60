"""Receptive fields of stacked convolution and pooling layers: the size of the input region one output unit can see,
the jump (the input distance between neighbouring units), and where each field sits; plus the spread of the
effective receptive field of a stack of uniform linear kernels.

Backs the page `docs/vision/small-kernels.md` and its notebook. NumPy only, so a downloaded notebook can inline this
file.

A layer is a tuple (kernel, stride, dilation, padding); trailing entries may be left out and default to stride 1,
dilation 1, padding 0. Pooling layers count like convolutions with the same kernel and stride. Coordinates are input
pixel indices along one axis (the same recursion applies to each axis).
"""

from __future__ import annotations

import math

import numpy as np


def _layer(i: int, layer) -> tuple[int, int, int, int]:
    values = tuple(layer) if isinstance(layer, (tuple, list)) else (layer,)
    if not 1 <= len(values) <= 4:
        raise ValueError(f"layer {i}: expected (kernel, stride, dilation, padding), got {layer!r}")
    k, s, d, p = values + (1, 1, 0)[len(values) - 1:]
    for name, v, low in (("kernel", k, 1), ("stride", s, 1), ("dilation", d, 1), ("padding", p, 0)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < low:
            raise ValueError(f"layer {i}: {name} must be an integer >= {low}, got {v!r}")
    return int(k), int(s), int(d), int(p)


# --8<-- [start:receptive_field]
def receptive_field(layers):
    """Receptive field after each layer of a stack, along one axis.

    layers: sequence of (kernel, stride, dilation, padding) tuples,
    trailing entries optional (defaults 1, 1, 0). Starting from one
    input pixel (r = 1, jump j = 1, centre 0), layer l with kernel k,
    stride s, dilation d and padding p gives
        r     <- r + d*(k - 1)*j        (field size in pixels)
        start <- start + (d*(k - 1)/2 - p)*j
        j     <- j*s                    (pixels between neighbours)
    Output unit i of the last layer sees the pixels within
    (r - 1)/2 of start + i*j. Returns one dict per layer.
    """
    layers = [_layer(i, layer) for i, layer in enumerate(layers)]
    if not layers:
        raise ValueError("layers must hold at least one layer")
    r, j, start, out = 1, 1, 0.0, []
    for k, s, d, p in layers:
        r += d * (k - 1) * j
        start += (d * (k - 1) / 2 - p) * j
        j *= s
        out.append({"size": r, "jump": j, "start": start})
    return out
# --8<-- [end:receptive_field]


def field_of_unit(layers, i: int) -> tuple[float, float]:
    """First and last input pixel (inclusive) in the receptive field of output unit i of the last layer."""
    if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or i < 0:
        raise ValueError(f"i must be a non-negative integer, got {i!r}")
    last = receptive_field(layers)[-1]
    centre = last["start"] + i * last["jump"]
    half = (last["size"] - 1) / 2
    return centre - half, centre + half


# --8<-- [start:uniform_erf_std]
def uniform_erf_std(n_layers, kernel=3):
    """Spread of the effective receptive field of n linear layers
    with uniform k-tap kernels (all weights equal), stride 1.

    The gradient of one output unit over the input pixels is the
    n-fold convolution of a box of k ones: the distribution of a sum
    of n independent offsets uniform on k values, with variance
    n*(k**2 - 1)/12 per axis. It approaches a Gaussian whose standard
    deviation grows like sqrt(n), while the field's size,
    n*(k - 1) + 1, grows like n.
    """
    for name, v in (("n_layers", n_layers), ("kernel", kernel)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")
    return math.sqrt(n_layers * (kernel**2 - 1) / 12)
# --8<-- [end:uniform_erf_std]
