"""The theory of the original GAN in NumPy, for distributions given as probability vectors on a common support: the
optimal discriminator, the value function V(D, G), the Jensen-Shannon divergence that V(D*, G) reduces to, the two
generator losses and their gradients with respect to the discriminator's logit, and the 1-D Wasserstein-1 distance
between two equal-size samples.

Backs the page `docs/generative/generative-adversarial-networks.md` and its notebook. NumPy only, so a downloaded
notebook can inline this file.

Distributions are probability *masses* on the same finite set of points (for densities on a grid, pass density
times cell width). Logarithms are natural, so divergences are in nats and JS lies in [0, log 2]. Terms with zero mass
contribute nothing (0 log 0 = 0).
"""

from __future__ import annotations

import numpy as np


def _masses(name: str, p) -> np.ndarray:
    try:
        p = np.asarray(p, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be an array of numbers") from err
    if p.ndim != 1 or p.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D probability vector, got shape {p.shape}")
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError(f"{name} must hold finite, non-negative masses")
    if abs(p.sum() - 1.0) > 1e-6:
        raise ValueError(f"{name} must sum to 1 (got {p.sum():.6g}); pass masses, not unnormalised densities")
    return p


def _pair(p, q, names=("p", "q")):
    p, q = _masses(names[0], p), _masses(names[1], q)
    if p.shape != q.shape:
        raise ValueError(f"{names[0]} and {names[1]} must live on the same support, got shapes {p.shape} and {q.shape}")
    return p, q


def _xlogy(x, y):
    """x * log(y) with 0 * log(anything) = 0."""
    out = np.zeros_like(x)
    mask = x > 0
    with np.errstate(divide="ignore"):
        out[mask] = x[mask] * np.log(y[mask])
    return out


# --8<-- [start:optimal_discriminator]
def optimal_discriminator(p_data, p_g):
    """D*(x) = p_data(x) / (p_data(x) + p_g(x)), pointwise.

    For a fixed generator, V(D, G) is maximised point by point:
    a log D + b log(1 - D) peaks at D = a / (a + b). Where
    neither distribution has mass, D* is irrelevant; it is 1/2.
    """
    p_data, p_g = _pair(p_data, p_g, ("p_data", "p_g"))
    total = p_data + p_g
    return np.divide(p_data, total, out=np.full_like(total, 0.5), where=total > 0)
# --8<-- [end:optimal_discriminator]


# --8<-- [start:value_function]
def value_function(D, p_data, p_g):
    """V(D, G) = E_data[log D(x)] + E_g[log(1 - D(x))], in nats.

    D: the discriminator's probability that x is real, one value
    per support point, in [0, 1]. The discriminator ascends V,
    the generator (minimax form) descends it. Returns -inf when
    D is 0 on real mass or 1 on generated mass.
    """
    p_data, p_g = _pair(p_data, p_g, ("p_data", "p_g"))
    D = np.asarray(D, dtype=float)
    if D.shape != p_data.shape:
        raise ValueError(f"D must give one value per support point, shape {p_data.shape}, got {D.shape}")
    if not np.all(np.isfinite(D)) or np.any(D < 0) or np.any(D > 1):
        raise ValueError("D must hold probabilities in [0, 1]")
    return float(_xlogy(p_data, D).sum() + _xlogy(p_g, 1.0 - D).sum())
# --8<-- [end:value_function]


# --8<-- [start:js_divergence]
def js_divergence(p, q):
    """Jensen-Shannon divergence in nats, between 0 and log 2.

    JS(p, q) = KL(p || m) / 2 + KL(q || m) / 2, m = (p + q) / 2.
    Finite even when the supports do not overlap; then it is
    log 2 however far apart they are. At the optimal
    discriminator, V(D*, G) = -log 4 + 2 JS(p_data, p_g).
    """
    p, q = _pair(p, q)
    total = p + q                      # 2m, kept unhalved: no underflow
    kl_pm = (_xlogy(p, 2 * p) - _xlogy(p, total)).sum()
    kl_qm = (_xlogy(q, 2 * q) - _xlogy(q, total)).sum()
    return float(max(0.5 * (kl_pm + kl_qm), 0.0))
# --8<-- [end:js_divergence]


# --8<-- [start:generator_losses]
def generator_losses(logits):
    """The two generator losses at discriminator logits s = logit D(G(z)),
    and their derivatives with respect to s (D = sigmoid(s)).

    Minimax (saturating): log(1 - D), derivative -D, which
    vanishes as D -> 0, when the fakes are easy to spot.
    Non-saturating: -log D, derivative -(1 - D), near -1 there.
    Returns (loss_minimax, loss_ns, grad_minimax, grad_ns), one
    value per logit; the generator minimises either loss.
    """
    s = np.asarray(logits, dtype=float)
    if not np.all(np.isfinite(s)):
        raise ValueError("logits must be finite")
    d = np.exp(-np.logaddexp(0.0, -s))            # D = sigmoid(s)
    one_minus_d = np.exp(-np.logaddexp(0.0, s))   # 1 - D, accurately
    loss_minimax = -np.logaddexp(0.0, s)          # log(1 - D)
    loss_ns = np.logaddexp(0.0, -s)               # -log D
    return loss_minimax, loss_ns, -d, -one_minus_d
# --8<-- [end:generator_losses]


def wasserstein_1d(x, y) -> float:
    """Wasserstein-1 (earth mover's) distance between two equal-size 1-D samples, each point of mass 1/n: the mean
    absolute difference of the sorted samples."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.ndim != 1 or y.ndim != 1 or x.size == 0 or x.shape != y.shape:
        raise ValueError(f"x and y must be non-empty 1-D samples of equal size, got shapes {x.shape} and {y.shape}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("x and y must be finite")
    return float(np.mean(np.abs(np.sort(x) - np.sort(y))))
