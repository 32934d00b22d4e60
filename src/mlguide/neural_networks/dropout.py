"""Inverted dropout in NumPy: the forward pass draws and returns the mask, the backward pass reuses it.

Backs the page `docs/neural-networks/dropout.md` and its notebook. NumPy only, so a downloaded notebook can inline
this file.

`p` is the probability of *dropping* a unit, as in PyTorch and Keras (the original papers write p for the probability
of keeping it). In training each entry of x is kept independently with probability 1 - p and, if kept, multiplied by
1 / (1 - p), so that the expected output equals x and evaluation needs no change: there the layer is the identity.
"""

from __future__ import annotations

import numbers

import numpy as np


def _check_p(p) -> float:
    if isinstance(p, bool) or not isinstance(p, numbers.Real):
        raise ValueError(f"p must be a real number in [0, 1], got {p!r}")
    p = float(p)
    if not 0.0 <= p <= 1.0:  # also rejects NaN
        raise ValueError(f"p is the drop probability and must lie in [0, 1], got {p}")
    return p


def _check_array(a, name: str) -> np.ndarray:
    try:
        a = np.asarray(a, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be an array of numbers") from err
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return a


def _rng(rng) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, numbers.Integral) and not isinstance(rng, bool) and rng >= 0):
        return np.random.default_rng(rng)
    raise ValueError(f"rng must be a numpy Generator, a non-negative integer seed or None, got {rng!r}")


# --8<-- [start:dropout_forward]
def dropout_forward(x, p: float, training: bool = True, rng=None):
    """Inverted dropout. Returns (out, mask) with out = x * mask.

    p: probability of dropping each entry, 0 <= p <= 1.
    Training: mask holds 0 (dropped, probability p) or
    1 / (1 - p) (kept), drawn independently per entry, so
    E[out] = x. Evaluation (training=False): mask is all
    ones and out is x: inference needs no rescaling.
    rng: a numpy Generator or an integer seed.
    """
    x = _check_array(x, "x")
    p = _check_p(p)
    if not isinstance(training, (bool, np.bool_)):
        raise ValueError(f"training must be True or False, got {training!r}")
    gen = _rng(rng)
    if not training or p == 0.0:
        mask = np.ones_like(x)
    elif p == 1.0:
        mask = np.zeros_like(x)          # every unit dropped
    else:
        keep = gen.random(x.shape) >= p   # P(keep) = 1 - p
        mask = keep / (1.0 - p)
    return x * mask, mask
# --8<-- [end:dropout_forward]


# --8<-- [start:dropout_backward]
def dropout_backward(dout, mask):
    """Gradient with respect to x, given dout = dL/d(out).

    out = x * mask elementwise, so dL/dx = dout * mask: the
    same mask as the forward pass. A dropped unit passes no
    gradient; a kept one passes it scaled by 1 / (1 - p).
    """
    dout = _check_array(dout, "dout")
    mask = _check_array(mask, "mask")
    if dout.shape != mask.shape:
        raise ValueError(f"dout has shape {dout.shape} but the mask has shape {mask.shape}")
    if np.any(mask < 0):
        raise ValueError("mask must be the non-negative multiplier returned by dropout_forward")
    return dout * mask
# --8<-- [end:dropout_backward]
