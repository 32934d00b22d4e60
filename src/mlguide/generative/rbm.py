"""A binary restricted Boltzmann machine in NumPy: the free energy, the two factorised conditionals, one Gibbs step,
the contrastive-divergence gradient (CD-k, and persistent CD when a chain is passed), and, for RBMs with a small
layer, the exact log-partition function, log-likelihood and log-likelihood gradient by enumeration.

Backs the page `docs/generative/restricted-boltzmann-machines.md` and its notebook. NumPy only, so a downloaded
notebook can inline this file.

Conventions. Visible units v in {0, 1}^n_v, hidden units h in {0, 1}^n_h, weights W of shape (n_v, n_h), visible
biases a (n_v,), hidden biases b (n_h,). The energy is E(v, h) = -a.v - b.h - v.W.h and p(v, h) = exp(-E) / Z.
A batch of visible vectors is an (m, n_v) array, one example per row; a single vector (n_v,) is also accepted.
scikit-learn's BernoulliRBM stores the same model as components_ = W.T, intercept_visible_ = a,
intercept_hidden_ = b. Functions that only evaluate probabilities accept visible values in [0, 1] (mean-field
inputs, as scikit-learn does); the Gibbs chain itself is binary.

Gradients are those of the *mean* log-likelihood over the rows of v_data, to be ascended: theta += lr * grad.
"""

from __future__ import annotations

import numbers

import numpy as np

MAX_ENUMERATED_UNITS = 20   # exact computations enumerate 2^k states of the smaller layer, k <= 20


def _sigmoid(x):
    return np.exp(-np.logaddexp(0.0, -x))


def _softplus(x):
    return np.logaddexp(0.0, x)


def _finite(name: str, x, ndim: int) -> np.ndarray:
    try:
        x = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be an array of numbers") from err
    if x.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return x


def _params(W, a, b):
    W = _finite("W", W, 2)
    if W.shape[0] < 1 or W.shape[1] < 1:
        raise ValueError(f"W must have shape (n_visible, n_hidden) with both at least 1, got {W.shape}")
    if a is not None:
        a = _finite("a", a, 1)
        if a.shape != (W.shape[0],):
            raise ValueError(f"a must have shape ({W.shape[0]},) to match W {W.shape}, got {a.shape}")
    if b is not None:
        b = _finite("b", b, 1)
        if b.shape != (W.shape[1],):
            raise ValueError(f"b must have shape ({W.shape[1]},) to match W {W.shape}, got {b.shape}")
    return W, a, b


def _units(name: str, x, n: int, binary: bool = False) -> tuple[np.ndarray, bool]:
    """x as a 2-D batch (m, n) with values in [0, 1] (or {0, 1}), and whether it was a single vector."""
    try:
        x = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be an array of numbers") from err
    single = x.ndim == 1
    x = x[None, :] if single else x
    if x.ndim != 2 or x.shape[1] != n:
        raise ValueError(f"{name} must have shape (m, {n}) or ({n},), got {np.shape(x)}")
    if x.shape[0] < 1:
        raise ValueError(f"{name} must hold at least one row")
    if not np.all(np.isfinite(x)) or np.any(x < 0) or np.any(x > 1):
        raise ValueError(f"{name} must hold values in [0, 1]")
    if binary and not np.all((x == 0) | (x == 1)):
        raise ValueError(f"{name} must be binary (0 or 1)")
    return x, single


def _rng(rng) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, numbers.Integral) and not isinstance(rng, bool) and rng >= 0):
        return np.random.default_rng(rng)
    raise ValueError(f"rng must be a numpy Generator, a non-negative integer seed or None, got {rng!r}")


# --8<-- [start:free_energy]
def free_energy(v, W, a, b):
    """F(v) = -log sum_h exp(-E(v, h)), one value per row of v.

    Summing the hidden units out of exp(a.v + b.h + v.W.h)
    factorises over j, and each sum over h_j in {0, 1} is
    1 + exp(b_j + (v W)_j), so
    F(v) = -a.v - sum_j softplus(b_j + (v W)_j),
    and p(v) = exp(-F(v)) / Z.
    """
    W, a, b = _params(W, a, b)
    v, single = _units("v", v, W.shape[0])
    F = -v @ a - _softplus(v @ W + b).sum(axis=1)
    return F[0] if single else F
# --8<-- [end:free_energy]


# --8<-- [start:conditionals]
def hidden_probs(v, W, b):
    """p(h_j = 1 | v) = sigmoid(b_j + (v W)_j), shape (m, n_h).

    No hidden-hidden weights, so given v the hidden units are
    independent and p(h | v) is the product of these.
    """
    W, _, b = _params(W, None, b)
    v, single = _units("v", v, W.shape[0])
    p = _sigmoid(v @ W + b)
    return p[0] if single else p


def visible_probs(h, W, a):
    """p(v_i = 1 | h) = sigmoid(a_i + (W h)_i), shape (m, n_v)."""
    W, a, _ = _params(W, a, None)
    h, single = _units("h", h, W.shape[1])
    p = _sigmoid(h @ W.T + a)
    return p[0] if single else p
# --8<-- [end:conditionals]


def gibbs_step(v, W, a, b, rng=None):
    """One step of block Gibbs sampling, v -> h -> v'. Returns (v', h), both binary, one row per chain."""
    W, a, b = _params(W, a, b)
    v, _ = _units("v", v, W.shape[0], binary=True)
    gen = _rng(rng)
    ph = _sigmoid(v @ W + b)
    h = (gen.random(ph.shape) < ph).astype(float)
    pv = _sigmoid(h @ W.T + a)
    return (gen.random(pv.shape) < pv).astype(float), h


# --8<-- [start:cd_gradient]
def cd_gradient(v_data, W, a, b, k=1, rng=None, chain=None):
    """CD-k estimate of the gradient of the mean log-likelihood.

    Positive phase: the data with p(h | v_data). Negative phase:
    k block-Gibbs steps v -> h -> v, started at the data (CD-k)
    or, for persistent CD, at `chain` (binary, any number of
    rows), which the caller keeps between updates. Hidden
    probabilities, not samples, enter both phases.
    Returns (dW, da, db, v_neg); ascend: W += lr * dW, etc.
    """
    W, a, b = _params(W, a, b)
    v0, _ = _units("v_data", v_data, W.shape[0])
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    gen = _rng(rng)
    if chain is None:
        if not np.all((v0 == 0) | (v0 == 1)):
            raise ValueError("CD starts its chains at the data, which must then be binary")
        v = v0
    else:
        v, _ = _units("chain", chain, W.shape[0], binary=True)
    for _ in range(k):
        h = (gen.random((len(v), W.shape[1])) < _sigmoid(v @ W + b)).astype(float)
        v = (gen.random((len(v), W.shape[0])) < _sigmoid(h @ W.T + a)).astype(float)
    ph0, phk = _sigmoid(v0 @ W + b), _sigmoid(v @ W + b)
    dW = v0.T @ ph0 / len(v0) - v.T @ phk / len(v)
    da = v0.mean(axis=0) - v.mean(axis=0)
    db = ph0.mean(axis=0) - phk.mean(axis=0)
    return dW, da, db, v
# --8<-- [end:cd_gradient]


def _states(n: int, chunk: int = 4096):
    """All 2^n binary vectors of length n, in blocks of at most `chunk` rows (row i is the binary digits of i)."""
    bits = 1 << np.arange(n - 1, -1, -1)
    for start in range(0, 2 ** n, chunk):
        idx = np.arange(start, min(start + chunk, 2 ** n))
        yield ((idx[:, None] & bits) > 0).astype(float)


def _check_small(W) -> None:
    if min(W.shape) > MAX_ENUMERATED_UNITS:
        raise ValueError(f"exact computation enumerates 2^min(n_v, n_h) states; min{W.shape} exceeds "
                         f"{MAX_ENUMERATED_UNITS}: use CD or annealed importance sampling instead")


def _model_moments(W, a, b, moments=True):
    """log Z and, if `moments`, the model expectations E[v h^T], E[v], E[h], by enumerating the smaller layer."""
    n_v, n_h = W.shape
    by_hidden = n_h <= n_v
    logw, blocks = [], []
    for S in _states(n_h if by_hidden else n_v):
        if by_hidden:     # p(h) is proportional to exp(b.h + sum_i softplus(a_i + (W h)_i))
            pre = S @ W.T + a
            logw.append(S @ b + _softplus(pre).sum(axis=1))
            if moments:
                blocks.append((S, _sigmoid(pre)))            # (h, E[v | h])
        else:             # p(v) is proportional to exp(-F(v))
            pre = S @ W + b
            logw.append(S @ a + _softplus(pre).sum(axis=1))
            if moments:
                blocks.append((_sigmoid(pre), S))            # (E[h | v], v)
    top = max(float(w.max()) for w in logw)
    scale = [np.exp(w - top) for w in logw]
    total = sum(float(s.sum()) for s in scale)
    log_z = top + np.log(total)
    if not moments:
        return log_z
    Evh = sum(Vm.T @ (s[:, None] * Hm) for s, (Hm, Vm) in zip(scale, blocks)) / total
    Ev = sum(s @ Vm for s, (Hm, Vm) in zip(scale, blocks)) / total
    Eh = sum(s @ Hm for s, (Hm, Vm) in zip(scale, blocks)) / total
    return log_z, Evh, Ev, Eh


def log_partition(W, a, b) -> float:
    """log Z = log sum_{v,h} exp(-E(v, h)), exactly, by enumerating the smaller layer (at most 2^20 states)."""
    W, a, b = _params(W, a, b)
    _check_small(W)
    return float(_model_moments(W, a, b, moments=False))


def exact_log_likelihood(v, W, a, b) -> float:
    """Mean over the rows of v of log p(v) = -F(v) - log Z, with Z computed exactly (small RBMs only)."""
    W, a, b = _params(W, a, b)
    _check_small(W)
    v, _ = _units("v", v, W.shape[0])
    return float(np.mean(-free_energy(v, W, a, b)) - log_partition(W, a, b))


# --8<-- [start:exact_gradient]
def exact_gradient(v_data, W, a, b):
    """Exact gradient of the mean log-likelihood (small RBMs).

    d/dW = <v p(h|v)^T>_data - <v h^T>_model, and likewise
    d/da = <v>_data - <v>_model, d/db = <p(h|v)>_data - <h>_model;
    the model terms by summing over all 2^min(n_v, n_h) states
    of the smaller layer. Returns (dW, da, db).
    """
    W, a, b = _params(W, a, b)
    _check_small(W)
    v, _ = _units("v_data", v_data, W.shape[0])
    ph = _sigmoid(v @ W + b)
    _, Evh, Ev, Eh = _model_moments(W, a, b)
    dW = v.T @ ph / len(v) - Evh
    return dW, v.mean(axis=0) - Ev, ph.mean(axis=0) - Eh
# --8<-- [end:exact_gradient]
