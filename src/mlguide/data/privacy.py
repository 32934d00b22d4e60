"""Differential privacy building blocks: the Laplace mechanism and a differentially private mean.

Backs the page `docs/data/data-privacy.md` and its notebook `docs/data/notebooks/privacy_noise_and_membership.py`.
NumPy only, so a downloaded notebook can inline this file.
"""

from __future__ import annotations

import numpy as np


# --8<-- [start:laplace_mechanism]
def laplace_mechanism(value, sensitivity: float, epsilon: float, rng=None):
    """Release value + Laplace noise of scale b = sensitivity / epsilon.

    value: the exact answer f(D) of a query, a number or an array.
    sensitivity: the L1 sensitivity of f, the largest possible
        sum over coordinates of |f(D) - f(D')| for neighbouring
        datasets D, D' (one person's record differs); finite, >= 0.
    epsilon: the privacy parameter, finite and > 0.
    rng: a numpy Generator or a seed (None: fresh entropy).

    Each coordinate gets independent noise with density
    exp(-|z| / b) / (2b): mean 0, mean absolute value b, variance
    2 b^2. The release is epsilon-differentially private for f in
    exact arithmetic only: floating-point Laplace samples leak the
    input through their low-order bits (Mironov, 2012), so production
    code uses a snapping or discrete Laplace mechanism (e.g. OpenDP).
    Returns a float for a scalar value, else an array of its shape.
    """
    epsilon, sensitivity = float(epsilon), float(sensitivity)
    if not np.isfinite(epsilon) or epsilon <= 0:
        raise ValueError(f"epsilon must be a finite number > 0, got {epsilon!r}")
    if not np.isfinite(sensitivity) or sensitivity < 0:
        raise ValueError(f"sensitivity must be a finite number >= 0, got {sensitivity!r}")
    value = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(value)):
        raise ValueError("value must be finite")
    rng = np.random.default_rng(rng)
    noisy = value + rng.laplace(0.0, sensitivity / epsilon, size=value.shape)
    return float(noisy) if noisy.ndim == 0 else noisy
# --8<-- [end:laplace_mechanism]


# --8<-- [start:dp_mean]
def dp_mean(x, lower: float, upper: float, epsilon: float, rng=None) -> float:
    """An epsilon-differentially private mean of the values x.

    Clips each value to [lower, upper], bounds fixed before seeing
    the data, so one record moves the mean of n values by at most
    (upper - lower) / n: the sensitivity when neighbouring datasets
    differ by replacing one record and n is public. Adds Laplace
    noise of scale (upper - lower) / (n * epsilon), whose mean
    absolute value is exactly that scale. Private in exact
    arithmetic only (see laplace_mechanism on floating point).
    """
    x = np.asarray(x, dtype=float).ravel()
    if x.size == 0:
        raise ValueError("x is empty")
    if not (np.isfinite(lower) and np.isfinite(upper) and lower < upper):
        raise ValueError(f"need finite bounds lower < upper, got {lower!r}, {upper!r}")
    clipped = np.clip(x, lower, upper)        # NaN stays NaN and is rejected below
    if not np.all(np.isfinite(clipped)):
        raise ValueError("x must not contain NaN")
    sensitivity = (upper - lower) / x.size
    return laplace_mechanism(clipped.mean(), sensitivity, epsilon, rng)
# --8<-- [end:dp_mean]
