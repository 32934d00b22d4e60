"""Linear autoencoders and the subspace they learn: principal angles, and gradient descent on the squared error.

Backs the page `docs/generative/autoencoders.md` and its notebook `docs/generative/notebooks/autoencoders_vs_pca.py`.
NumPy only, so a downloaded notebook can inline this file.

A linear autoencoder with k hidden units maps a centred row x (p features) to the code z = W_enc x (k numbers) and back
to x_hat = W_dec z. Trained on squared error, its global minima make W_dec W_enc the orthogonal projection onto the
span of the top k principal directions (Baldi and Hornik, 1989), but W_dec can be *any* basis of that span: the
weights are determined only up to an invertible k x k matrix C, W_dec -> W_dec C and W_enc -> C^-1 W_enc. Principal
angles compare the subspaces themselves, whatever basis spans them.
"""

from __future__ import annotations

import numbers

import numpy as np


def _as_matrix(a, name: str) -> np.ndarray:
    try:
        a = np.asarray(a, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be an array of numbers") from err
    if a.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array, got shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name} is empty")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return a


def _orthonormal_basis(a: np.ndarray, name: str) -> np.ndarray:
    """Orthonormal basis of the column space of `a`, which must have full column rank."""
    u, s, _ = np.linalg.svd(a, full_matrices=False)
    tol = max(a.shape) * np.finfo(float).eps * (s[0] if s.size else 0.0)
    if s.size == 0 or s[-1] <= tol:
        raise ValueError(f"the columns of {name} are linearly dependent: they do not span a "
                         f"{a.shape[1]}-dimensional subspace")
    return u


# --8<-- [start:principal_angles]
def principal_angles(A, B):
    """Principal angles, in radians and ascending, between the
    column spaces of A (p x a) and B (p x b), both of full
    column rank; there are min(a, b) of them.

    With orthonormal bases Q_A, Q_B, the cosines are the
    singular values of Q_A^T Q_B. Angles below 45 degrees come
    from the sines instead, the singular values of the part of
    one basis outside the other span: arccos loses accuracy
    near 0. Angles all 0: one span contains the other; all
    pi/2: orthogonal spans. scipy.linalg.subspace_angles gives
    the same angles in descending order.
    """
    A, B = _as_matrix(A, "A"), _as_matrix(B, "B")
    if A.shape[0] != B.shape[0]:
        raise ValueError(f"A and B must have the same number of rows, got {A.shape[0]} and {B.shape[0]}")
    QA, QB = _orthonormal_basis(A, "A"), _orthonormal_basis(B, "B")
    if QA.shape[1] < QB.shape[1]:
        QA, QB = QB, QA                           # QA is the larger span
    M = QA.T @ QB
    cos = np.clip(np.linalg.svd(M, compute_uv=False), -1.0, 1.0)       # descending
    sin = np.linalg.svd(QB - QA @ M, compute_uv=False)[::-1]          # ascending
    small = cos ** 2 >= 0.5                                            # angle <= 45 degrees
    return np.where(small, np.arcsin(np.clip(sin, -1.0, 1.0)), np.arccos(cos))
# --8<-- [end:principal_angles]


# --8<-- [start:linear_autoencoder_grads]
def linear_autoencoder_grads(X, W_enc, W_dec):
    """Loss and gradients of a linear autoencoder, no biases.

    X: n x p rows (centre them first); W_enc: k x p;
    W_dec: p x k. Codes Z = X W_enc^T, reconstructions
    X_hat = Z W_dec^T, residual R = X_hat - X, and
      L = ||R||_F^2 / n   (squared error per row),
      dL/dW_dec = 2 R^T Z / n,
      dL/dW_enc = 2 W_dec^T R^T X / n.
    Returns (L, dL/dW_enc, dL/dW_dec).
    """
    X = _as_matrix(X, "X")
    W_enc, W_dec = _as_matrix(W_enc, "W_enc"), _as_matrix(W_dec, "W_dec")
    n, p = X.shape
    k = W_enc.shape[0]
    if W_enc.shape != (k, p) or W_dec.shape != (p, k):
        raise ValueError(f"with X of shape {X.shape}, W_enc must be (k, {p}) and W_dec ({p}, k) for one k; "
                         f"got {W_enc.shape} and {W_dec.shape}")
    Z = X @ W_enc.T
    R = Z @ W_dec.T - X
    loss = np.sum(R ** 2) / n
    return loss, 2.0 * W_dec.T @ R.T @ X / n, 2.0 * R.T @ Z / n
# --8<-- [end:linear_autoencoder_grads]


def train_linear_autoencoder(X, k: int, lr: float = 0.1, n_steps: int = 2000, seed=0):
    """Full-batch gradient descent on the linear autoencoder's squared error.

    X: n x p rows; they are centred here (what optimal biases would do) and the mean is returned. The step size is
    lr / lambda_1, with lambda_1 the largest eigenvalue of the centred second moment X^T X / n, so that lr is free of
    the data's scale; lr around 0.1 is stable. Weights start small and random (seeded). Returns
    (W_enc, W_dec, mean, losses), with the loss before each step.
    """
    X = _as_matrix(X, "X")
    n, p = X.shape
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or not 1 <= k <= p:
        raise ValueError(f"k must be an integer in 1..{p}, got {k!r}")
    if isinstance(n_steps, bool) or not isinstance(n_steps, numbers.Integral) or n_steps < 1:
        raise ValueError(f"n_steps must be a positive integer, got {n_steps!r}")
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not 0 < lr < np.inf:
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    mean = X.mean(axis=0)
    Xc = X - mean
    top = np.linalg.norm(Xc, 2) ** 2 / n
    if top == 0:
        raise ValueError("every row is the same: there is nothing to encode")
    step = lr / top
    rng = np.random.default_rng(seed)
    scale = 0.1 / np.sqrt(p)
    W_enc, W_dec = rng.normal(0, scale, (k, p)), rng.normal(0, scale, (p, k))
    losses = np.empty(n_steps)
    for t in range(n_steps):
        losses[t], g_enc, g_dec = linear_autoencoder_grads(Xc, W_enc, W_dec)
        if not np.isfinite(losses[t]) or losses[t] > 1e6 * (losses[0] + 1.0):
            raise ValueError(f"gradient descent diverged at step {t}: lower lr (got {lr})")
        W_enc, W_dec = W_enc - step * g_enc, W_dec - step * g_dec
    return W_enc, W_dec, mean, losses
