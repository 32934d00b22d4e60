"""Linear dimensionality reduction beyond PCA: Fisher's discriminant directions and Johnson-Lindenstrauss projections.

Backs the page `docs/unsupervised/dimensionality-reduction.md` and its notebook
`docs/unsupervised/notebooks/tsne_perplexity.py`. NumPy only, so a downloaded notebook can inline this file.
"""

from __future__ import annotations

import numpy as np


def _as_matrix(X) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(f"X must be a non-empty 2-D array (n, d), got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X contains NaN or infinite values")
    return X


# --8<-- [start:fisher_lda]
def fisher_lda(X, y, n_components: int | None = None):
    """Fisher's linear discriminant directions.

    X: (n, d) features; y: (n,) class labels, at least 2 classes.
    With class means m_c, class sizes n_c and overall mean m,
      S_W = sum_c sum_{i in c} (x_i - m_c)(x_i - m_c)^T  (within),
      S_B = sum_c n_c (m_c - m)(m_c - m)^T               (between).
    Returns (W, J): W is (d, k), its columns w maximise
    J(w) = (w^T S_B w) / (w^T S_W w), sorted by J (decreasing),
    each scaled so that w^T S_W w = 1; J holds their k criterion
    values. S_B has rank at most C - 1, so k <= min(C - 1, d).
    Solves S_B w = J S_W w via the Cholesky factor S_W = L L^T.
    Raises ValueError if S_W is singular (always when d > n - C).
    """
    X = _as_matrix(X)
    y = np.asarray(y)
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},), got {y.shape}")
    classes = np.unique(y)
    if len(classes) < 2:
        raise ValueError("need at least two classes")
    k_max = min(len(classes) - 1, X.shape[1])
    k = k_max if n_components is None else int(n_components)
    if not 1 <= k <= k_max:
        raise ValueError(f"n_components must be in [1, min(C - 1, d)] = [1, {k_max}], got {n_components}")
    m = X.mean(axis=0)
    S_W = np.zeros((X.shape[1], X.shape[1]))
    S_B = np.zeros_like(S_W)
    for c in classes:
        Xc = X[y == c]
        D = Xc - Xc.mean(axis=0)
        S_W += D.T @ D
        g = Xc.mean(axis=0) - m
        S_B += len(Xc) * np.outer(g, g)
    try:
        L = np.linalg.cholesky(S_W)
    except np.linalg.LinAlgError:
        raise ValueError("S_W is singular: reduce d first (e.g. PCA) or use shrinkage") from None
    Li = np.linalg.inv(L)
    J, V = np.linalg.eigh(Li @ S_B @ Li.T)       # symmetric: L^-1 S_B L^-T
    order = np.argsort(J)[::-1][:k]
    return Li.T @ V[:, order], J[order]          # w = L^-T v
# --8<-- [end:fisher_lda]


def jl_min_dim(n_samples: int, eps: float) -> int:
    """Smallest k with k >= 4 ln(n) / (eps^2 / 2 - eps^3 / 3).

    The Johnson-Lindenstrauss bound of Dasgupta and Gupta (2003): for any n points in any dimension d, some linear map
    to k dimensions keeps every squared pairwise distance within a factor 1 +- eps. It does not depend on d.
    scikit-learn's `johnson_lindenstrauss_min_dim` rounds the same bound down; this rounds it up.
    """
    if int(n_samples) != n_samples or n_samples < 2:
        raise ValueError(f"n_samples must be an integer >= 2, got {n_samples!r}")
    if not 0 < eps < 1:
        raise ValueError(f"eps must be in (0, 1), got {eps!r}")
    return int(np.ceil(4 * np.log(n_samples) / (eps**2 / 2 - eps**3 / 3)))


# --8<-- [start:random_projection]
def random_projection(X, k: int, seed=0) -> np.ndarray:
    """Project the rows of X (n, d) to k dimensions with a Gaussian matrix.

    Returns X @ R with R of shape (d, k), entries i.i.d. N(0, 1/k),
    so E ||R^T x||^2 = ||x||^2 for every x. By the
    Johnson-Lindenstrauss lemma, k of order log(n) / eps^2 keeps all
    squared pairwise distances of n points within a factor 1 +- eps
    with high probability, whatever d is.
    The matrix ignores the data: no fitting, no labels, O(ndk) time.
    """
    X = _as_matrix(X)
    if int(k) != k or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    rng = np.random.default_rng(seed)
    R = rng.normal(scale=1 / np.sqrt(k), size=(X.shape[1], int(k)))
    return X @ R
# --8<-- [end:random_projection]
