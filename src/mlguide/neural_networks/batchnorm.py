"""Batch normalization in NumPy: the training-mode forward pass with the running-statistic update, the evaluation-mode
forward pass, the backward pass of both, and layer normalization's forward pass.

Backs the page `docs/neural-networks/batch-normalization.md` and its notebook. NumPy only, so a downloaded notebook
can inline this file.

Layout follows PyTorch: the feature (channel) axis is axis 1. A 2-D input (N, C) is a batch of N feature vectors
(`BatchNorm1d`); an input (N, C, L) or (N, C, H, W) is normalized per channel over the batch and every spatial
position (`BatchNorm1d` on sequences, `BatchNorm2d`). The statistics of channel c are taken over
m = N * (product of the spatial sizes) values.

Momentum follows PyTorch's convention: `momentum` is the weight of the *new* batch statistic,
running <- (1 - momentum) * running + momentum * batch_stat, and the running variance is updated with the unbiased
batch variance (divisor m - 1), while the normalization itself uses the biased one (divisor m). Keras's `momentum`
is the weight of the *old* value (its default 0.99 corresponds to PyTorch's 0.01).
"""

from __future__ import annotations

import numpy as np


def _as_finite(name: str, a, ndim: int | None = None) -> np.ndarray:
    a = np.asarray(a, dtype=float)
    if ndim is not None and a.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return a


def _check_inputs(x, gamma, beta, eps):
    x = _as_finite("x", x)
    if x.ndim < 2:
        raise ValueError(f"x must have shape (N, C) or (N, C, ...) with the features on axis 1, got {x.shape}")
    if x.shape[0] < 1 or x.shape[1] < 1 or x.size == 0:
        raise ValueError(f"x must hold at least one example and one channel, got shape {x.shape}")
    C = x.shape[1]
    gamma = _as_finite("gamma", gamma, 1)
    beta = _as_finite("beta", beta, 1)
    if gamma.shape != (C,) or beta.shape != (C,):
        raise ValueError(f"gamma and beta must have shape ({C},), got {gamma.shape} and {beta.shape}")
    _check_eps(eps)
    return x, gamma, beta


def _check_eps(eps) -> None:
    if isinstance(eps, bool) or not isinstance(eps, (int, float, np.floating)) or not (np.isfinite(eps) and eps > 0):
        raise ValueError(f"eps must be a positive number, got {eps!r}")


def _axes_and_shape(x: np.ndarray):
    """Axes to reduce over (all but axis 1) and the shape that broadcasts a per-channel vector against x."""
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    return axes, shape


# --8<-- [start:batchnorm_forward]
def batchnorm_forward(x, gamma, beta, running_mean, running_var,
                      training=True, momentum=0.1, eps=1e-5):
    """Batch normalization. x: (N, C) or (N, C, ...); channel axis 1.

    training=True: normalize with the batch mean and biased variance
    over the m values of each channel, and return running statistics
    updated with momentum (the weight of the new value) and the
    unbiased variance, as torch.nn.BatchNorm does.
    training=False: normalize with the running statistics, unchanged.
    Returns (y, cache, new_running_mean, new_running_var).
    """
    x, gamma, beta = _check_inputs(x, gamma, beta, eps)
    mu_run = _as_finite("running_mean", running_mean, 1)
    var_run = _as_finite("running_var", running_var, 1)
    if mu_run.shape != gamma.shape or var_run.shape != gamma.shape:
        raise ValueError("running_mean and running_var must have one entry per channel")
    if np.any(var_run < 0):
        raise ValueError("running_var must be non-negative")
    if (isinstance(momentum, bool) or not isinstance(momentum, (int, float, np.floating))
            or not 0.0 <= momentum <= 1.0):
        raise ValueError(f"momentum must lie in [0, 1], got {momentum!r}")
    axes, shape = _axes_and_shape(x)
    m = x.size // x.shape[1]            # values per channel
    if training:
        if m < 2:
            raise ValueError("training mode needs more than one value "
                             "per channel to estimate a variance")
        mu = x.mean(axis=axes)
        var = x.var(axis=axes)          # biased: divides by m
        mu_run = (1 - momentum) * mu_run + momentum * mu
        var_run = ((1 - momentum) * var_run
                   + momentum * var * m / (m - 1))
    else:
        mu, var = mu_run, var_run
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mu.reshape(shape)) * inv_std.reshape(shape)
    y = gamma.reshape(shape) * x_hat + beta.reshape(shape)
    cache = (x_hat, gamma, inv_std, training)
    return y, cache, mu_run, var_run
# --8<-- [end:batchnorm_forward]


# --8<-- [start:batchnorm_backward]
def batchnorm_backward(dy, cache):
    """Gradients of the loss with respect to x, gamma and beta.

    dy: dL/dy, shaped like x. In training mode mu and var depend on
    every x in the channel, so
      dx = gamma * inv_std / m * (m*dy - sum(dy) - x_hat*sum(dy*x_hat))
    with sums over the m values of the channel. In evaluation mode
    the statistics are constants and dx = gamma * inv_std * dy.
    """
    x_hat, gamma, inv_std, training = cache
    dy = _as_finite("dy", dy)
    if dy.shape != x_hat.shape:
        raise ValueError(f"dy must have shape {x_hat.shape}, got {dy.shape}")
    axes, shape = _axes_and_shape(dy)
    m = dy.size // dy.shape[1]
    dbeta = dy.sum(axis=axes)
    dgamma = (dy * x_hat).sum(axis=axes)
    scale = (gamma * inv_std).reshape(shape)
    if not training:
        return scale * dy, dgamma, dbeta
    dx = scale / m * (m * dy - dbeta.reshape(shape)
                      - x_hat * dgamma.reshape(shape))
    return dx, dgamma, dbeta
# --8<-- [end:batchnorm_backward]


# --8<-- [start:layernorm_forward]
def layernorm_forward(x, gamma, beta, eps=1e-5):
    """Layer normalization over the last axis of x (..., D).

    Each example (each row, or each token of a sequence) is
    standardized with its own mean and biased variance over its D
    features, then scaled by gamma (D,) and shifted by beta (D,).
    No batch statistics, so training and evaluation agree.
    """
    x = _as_finite("x", x)
    if x.ndim < 1 or x.shape[-1] < 1:
        raise ValueError(f"x must have at least one feature on its last axis, got shape {x.shape}")
    D = x.shape[-1]
    gamma = _as_finite("gamma", gamma, 1)
    beta = _as_finite("beta", beta, 1)
    if gamma.shape != (D,) or beta.shape != (D,):
        raise ValueError(f"gamma and beta must have shape ({D},), got {gamma.shape} and {beta.shape}")
    _check_eps(eps)
    mu = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta
# --8<-- [end:layernorm_forward]
