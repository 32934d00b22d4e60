"""Gaussian mixtures fitted by expectation-maximization: one EM step for diagonal covariances.

Backs the page `docs/unsupervised/clustering-algorithms.md` and the notebook
`docs/unsupervised/notebooks/clustering_shapes.py`. NumPy only, so a downloaded notebook can inline this file.
"""

from __future__ import annotations

import numpy as np


def _checked_parameters(X, weights, means, variances, reg_covar):
    """Arrays of shape (n, d), (K,), (K, d), (K, d); 1-D data and 1-D means/variances are read as d = 1."""
    X = np.asarray(X, dtype=float)
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"X must be a non-empty (n_samples, n_features) array, got shape {X.shape}")
    d = X.shape[1]
    w = np.asarray(weights, dtype=float)
    if w.ndim != 1 or w.size == 0:
        raise ValueError("weights must be a non-empty 1-D array, one per component")
    mu = np.asarray(means, dtype=float)
    var = np.asarray(variances, dtype=float)
    if d == 1:
        mu, var = mu.reshape(-1, 1) if mu.ndim == 1 else mu, var.reshape(-1, 1) if var.ndim == 1 else var
    if mu.shape != (w.size, d) or var.shape != (w.size, d):
        raise ValueError(f"means and variances must have shape ({w.size}, {d}): one row per component")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(mu)) and np.all(np.isfinite(var))):
        raise ValueError("X, means and variances must be finite")
    if np.any(w <= 0) or abs(w.sum() - 1.0) > 1e-8:
        raise ValueError("weights must be positive and sum to 1")
    if np.any(var <= 0):
        raise ValueError("variances must be positive")
    if not reg_covar >= 0:
        raise ValueError("reg_covar must be non-negative")
    return X, w, mu, var


# --8<-- [start:em_step]
def em_step(X, weights, means, variances, reg_covar=1e-6):
    """One EM iteration for a Gaussian mixture with diagonal covariances.

    E step, the responsibility of component k for point i (log-sum-exp keeps it finite far away):
        r[i, k] = pi_k N(x_i | mu_k, diag var_k) / sum_j pi_j N(x_i | mu_j, diag var_j)
    M step, weighted versions of the usual estimates, with N_k = sum_i r[i, k]:
        pi_k = N_k / n,  mu_k = sum_i r[i, k] x_i / N_k,
        var_k = sum_i r[i, k] (x_i - mu_k)**2 / N_k + reg_covar.
    reg_covar keeps a component from collapsing onto one point, where the likelihood is unbounded.
    Returns (weights, means, variances, responsibilities, mean log-likelihood per point under the
    parameters passed in); EM never lets that log-likelihood fall from one step to the next.
    """
    X, w, mu, var = _checked_parameters(X, weights, means, variances, reg_covar)
    n, d = X.shape

    # E step: log pi_k + log N(x_i | mu_k, diag var_k), shape (n, K)
    sq = ((X[:, None, :] - mu[None]) ** 2 / var[None]).sum(axis=2)
    log_det = np.log(var).sum(axis=1)
    log_joint = np.log(w) - 0.5 * (d * np.log(2 * np.pi) + log_det + sq)
    top = log_joint.max(axis=1, keepdims=True)
    log_px = top[:, 0] + np.log(np.exp(log_joint - top).sum(axis=1))   # log p(x_i)
    resp = np.exp(log_joint - log_px[:, None])

    # M step (the tiny constant keeps an empty component from dividing by zero, as scikit-learn does)
    nk = resp.sum(axis=0) + 10 * np.finfo(float).eps
    new_means = resp.T @ X / nk[:, None]
    new_vars = np.stack([resp[:, k] @ (X - new_means[k]) ** 2 for k in range(w.size)]) / nk[:, None]
    return nk / nk.sum(), new_means, new_vars + reg_covar, resp, float(log_px.mean())
# --8<-- [end:em_step]
