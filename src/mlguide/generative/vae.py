"""The pieces of a variational autoencoder's objective: the Gaussian KL term, the reparameterized sample and a
single-sample ELBO for a Bernoulli decoder.

Backs the page `docs/generative/variational-autoencoders.md` and its notebook
`docs/generative/notebooks/vae_cvae_digits.py`. NumPy only, so a downloaded notebook can inline this file.

The encoder outputs, for each input row, a mean `mu` and a log-variance `log_var` (d numbers each) of a diagonal
Gaussian q(z | x) = N(mu, diag(exp(log_var))); the prior is N(0, I). A Bernoulli decoder outputs one logit per
pixel, l, with p(x_j = 1 | z) = sigmoid(l_j). All functions work row-wise on 2-D arrays (rows = examples) and also
accept a single 1-D row.
"""

from __future__ import annotations

import numbers

import numpy as np


def _as_float(a, name: str) -> np.ndarray:
    try:
        a = np.asarray(a, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be an array of numbers") from err
    if a.ndim not in (1, 2) or a.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D row or 2-D array (rows = examples), got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return a


def _same_shape(a: np.ndarray, b: np.ndarray, names: str) -> None:
    if a.shape != b.shape:
        raise ValueError(f"{names} must have the same shape, got {a.shape} and {b.shape}")


# --8<-- [start:gaussian_kl_to_standard_normal]
def gaussian_kl_to_standard_normal(mu, log_var):
    """KL( N(mu, diag(exp(log_var))) || N(0, I) ), per row.

    Closed form, summed over the d latent dimensions:
      KL = 1/2 * sum_j (mu_j^2 + s_j^2 - 1 - log s_j^2),
    with s_j^2 = exp(log_var_j). It is 0 only at mu = 0,
    log_var = 0 (q equal to the prior) and grows with |mu|
    and with s_j^2 away from 1 in either direction.
    """
    mu, log_var = _as_float(mu, "mu"), _as_float(log_var, "log_var")
    _same_shape(mu, log_var, "mu and log_var")
    return 0.5 * np.sum(mu ** 2 + np.exp(log_var) - 1.0 - log_var, axis=-1)
# --8<-- [end:gaussian_kl_to_standard_normal]


# --8<-- [start:reparameterize]
def reparameterize(mu, log_var, eps=None, rng=None):
    """A sample z ~ N(mu, diag(exp(log_var))) written as
    z = mu + exp(log_var / 2) * eps, with eps ~ N(0, I).

    The randomness sits in eps, which does not depend on the
    encoder, so z is a differentiable function of mu and
    log_var: dz/dmu = 1, dz/dlog_var = exp(log_var / 2) eps / 2.
    Pass eps to fix the noise, or rng (a numpy Generator or a
    seed) to draw it. Returns (z, eps).
    """
    mu, log_var = _as_float(mu, "mu"), _as_float(log_var, "log_var")
    _same_shape(mu, log_var, "mu and log_var")
    if eps is None:
        if not (rng is None or isinstance(rng, np.random.Generator)
                or (isinstance(rng, numbers.Integral) and not isinstance(rng, bool) and rng >= 0)):
            raise ValueError(f"rng must be a numpy Generator, a non-negative integer seed or None, got {rng!r}")
        eps = np.random.default_rng(rng).standard_normal(mu.shape)
    else:
        eps = _as_float(eps, "eps")
        _same_shape(mu, eps, "mu and eps")
    return mu + np.exp(0.5 * log_var) * eps, eps
# --8<-- [end:reparameterize]


# --8<-- [start:bernoulli_elbo]
def bernoulli_elbo(x, logits, mu, log_var):
    """Single-sample ELBO per row, for binary pixels x, the
    decoder's logits at one reparameterized z ~ q(z | x), and
    the encoder's mu and log_var. Returns (elbo, rec, kl):
      rec = log p(x | z) = sum_j x_j l_j - softplus(l_j),
      kl  = KL(q(z | x) || N(0, I)), in closed form,
      elbo = rec - kl, in nats: an unbiased one-sample
    estimate of the ELBO, a lower bound on log p(x).
    softplus(l) = log(1 + e^l), computed without overflow.
    """
    x, logits = _as_float(x, "x"), _as_float(logits, "logits")
    _same_shape(x, logits, "x and logits")
    if np.any((x != 0) & (x != 1)):
        raise ValueError("x must be binary (0 or 1): a Bernoulli likelihood is not a density for grey levels")
    mu, log_var = _as_float(mu, "mu"), _as_float(log_var, "log_var")
    _same_shape(mu, log_var, "mu and log_var")
    if x.ndim != mu.ndim or (x.ndim == 2 and len(x) != len(mu)):
        raise ValueError(f"x and mu must have the same number of rows, got shapes {x.shape} and {mu.shape}")
    softplus = np.logaddexp(0.0, logits)
    rec = np.sum(x * logits - softplus, axis=-1)
    kl = gaussian_kl_to_standard_normal(mu, log_var)
    return rec - kl, rec, kl
# --8<-- [end:bernoulli_elbo]
