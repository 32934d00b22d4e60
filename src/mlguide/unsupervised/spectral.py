"""Spectral clustering from scratch: a similarity graph, its Laplacians, and the Ng-Jordan-Weiss algorithm.

Backs the page `docs/unsupervised/spectral-clustering.md` and its notebook
`docs/unsupervised/notebooks/spectral_two_moons.py`. The clustering follows Ng, Jordan and Weiss, "On spectral
clustering: analysis and an algorithm" (NIPS 2001): the k eigenvectors of the symmetric normalized Laplacian with the
smallest eigenvalues, rows scaled to unit length, then k-means on those rows. The eigendecomposition is dense
(`numpy.linalg.eigh`, O(n^3)), which is fine for a few thousand points. NumPy only, so a downloaded notebook can
inline this file; the small k-means is its own, not another mlguide module's.
"""

from __future__ import annotations

import numbers

import numpy as np


def _check_points(X) -> np.ndarray:
    """X as a finite (n, d) float array with n >= 2; raise ValueError otherwise."""
    try:
        X = np.asarray(X, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError("X must be numeric") from err
    if X.ndim != 2 or X.shape[0] < 2 or X.shape[1] == 0:
        raise ValueError(f"X must be 2-D with at least two rows and one column, got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X must contain only finite numbers")
    return X


def _check_affinity(W) -> np.ndarray:
    """W as a dense float array with a zero diagonal, after checking it is a valid undirected weighted graph."""
    try:
        W = np.array(W, dtype=float)  # a copy: the diagonal is overwritten below
    except (TypeError, ValueError) as err:
        raise ValueError("the affinity matrix must be numeric") from err
    if W.ndim != 2 or W.shape[0] != W.shape[1] or W.shape[0] < 2:
        raise ValueError(f"the affinity matrix must be square with at least two rows, got shape {W.shape}")
    if not np.all(np.isfinite(W)) or np.any(W < 0):
        raise ValueError("affinities must be finite and non-negative")
    if np.abs(W - W.T).max() > 1e-12 * (1.0 + W.max()):
        raise ValueError("the affinity matrix must be symmetric (an undirected graph)")
    np.fill_diagonal(W, 0.0)  # self-loops are ignored, as in Ng, Jordan and Weiss
    return W


def _check_k(k, n: int) -> int:
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or not 1 <= k <= n:
        raise ValueError(f"the number of clusters k must be an integer from 1 to n = {n}, got {k!r}")
    return int(k)


def rbf_affinity(X, sigma: float) -> np.ndarray:
    """Fully connected Gaussian (RBF) similarity graph.

    W_ij = exp(-||x_i - x_j||^2 / (2 sigma^2)) for i != j, W_ii = 0.
    sigma is the length scale: points much farther apart than sigma
    are, in effect, not connected. Raises ValueError unless sigma is
    a positive finite number.
    """
    X = _check_points(X)
    if not (isinstance(sigma, numbers.Real) and np.isfinite(sigma) and sigma > 0):
        raise ValueError(f"sigma must be a positive finite number, got {sigma!r}")
    sq = np.sum(X * X, axis=1)
    dist2 = np.maximum(sq[:, None] + sq[None, :] - 2.0 * X @ X.T, 0.0)
    W = np.exp(-dist2 / (2.0 * sigma**2))
    np.fill_diagonal(W, 0.0)
    return W


def knn_affinity(X, n_neighbors: int, mutual: bool = False) -> np.ndarray:
    """Unweighted k-nearest-neighbour graph, made symmetric.

    i and j are joined (W_ij = 1) if j is among the n_neighbors
    nearest points of i OR i among those of j (mutual=False), or if
    both hold (mutual=True). A point is not its own neighbour.
    """
    X = _check_points(X)
    n = X.shape[0]
    if isinstance(n_neighbors, bool) or not isinstance(n_neighbors, numbers.Integral) or not 1 <= n_neighbors < n:
        raise ValueError(f"n_neighbors must be an integer from 1 to n - 1 = {n - 1}, got {n_neighbors!r}")
    sq = np.sum(X * X, axis=1)
    dist2 = sq[:, None] + sq[None, :] - 2.0 * X @ X.T
    np.fill_diagonal(dist2, np.inf)
    nearest = np.argsort(dist2, axis=1, kind="stable")[:, :n_neighbors]
    A = np.zeros((n, n))
    A[np.repeat(np.arange(n), n_neighbors), nearest.ravel()] = 1.0
    return np.minimum(A, A.T) if mutual else np.maximum(A, A.T)


# --8<-- [start:graph_laplacian]
def graph_laplacian(W, kind: str = "symmetric") -> np.ndarray:
    """A graph Laplacian of the symmetric affinity matrix W.

    With degrees d_i = sum_j W_ij and D = diag(d):
      "unnormalized": L     = D - W
      "symmetric":    L_sym = I - D^{-1/2} W D^{-1/2}
      "random_walk":  L_rw  = I - D^{-1} W
    The diagonal of W is ignored. The normalized kinds need every
    d_i > 0 and raise ValueError for an isolated point.
    """
    W = _check_affinity(W)
    d = W.sum(axis=1)
    if kind == "unnormalized":
        return np.diag(d) - W
    if kind not in ("symmetric", "random_walk"):
        raise ValueError(f"kind must be 'unnormalized', 'symmetric' or 'random_walk', got {kind!r}")
    if np.any(d <= 0):
        raise ValueError(f"point {int(np.argmin(d))} has no edges (degree 0); drop it or widen the graph")
    eye = np.eye(len(d))
    if kind == "random_walk":
        return eye - W / d[:, None]
    r = 1.0 / np.sqrt(d)
    return eye - r[:, None] * W * r[None, :]
# --8<-- [end:graph_laplacian]


# --8<-- [start:spectral_embedding]
def spectral_embedding(W, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues of L_sym and the Ng-Jordan-Weiss embedding.

    Returns (eigenvalues, Y): all n eigenvalues of L_sym in
    ascending order (each in [0, 2]), and the (n, k) matrix whose
    columns are the eigenvectors of the k smallest, each row
    scaled to unit length. Row i is point i's new coordinates.
    """
    L_sym = graph_laplacian(W, kind="symmetric")
    k = _check_k(k, L_sym.shape[0])
    eigenvalues, vectors = np.linalg.eigh(L_sym)  # ascending
    U = vectors[:, :k]
    norms = np.linalg.norm(U, axis=1, keepdims=True)
    Y = U / np.where(norms > 0, norms, 1.0)
    return eigenvalues, Y
# --8<-- [end:spectral_embedding]


def _lloyd(Y, centers, max_iter: int = 300) -> np.ndarray:
    """Lloyd iterations from the given (k, d) centers; returns the labels.

    A cluster that empties restarts at the point farthest from its
    own updated center, and several empty clusters get distinct points.
    """
    centers = np.array(centers, dtype=float)
    k, n = centers.shape[0], Y.shape[0]
    labels = np.full(n, -1)
    for _ in range(max_iter):
        new = np.argmin(((Y[:, None, :] - centers[None]) ** 2).sum(-1), axis=1)
        if np.array_equal(new, labels):
            break
        labels = new
        empty = []
        for c in range(k):
            members = labels == c
            if members.any():
                centers[c] = Y[members].mean(axis=0)
            else:
                empty.append(c)
        for c in empty:  # distances to the updated centers; a point taken here is its own center, at distance 0
            far = int(np.argmax(((Y - centers[labels]) ** 2).sum(-1)))
            centers[c], labels[far] = Y[far], c
    return labels


def _kmeans(Y, k: int, n_init: int = 10, seed: int = 0, max_iter: int = 300) -> tuple[np.ndarray, float]:
    """Lloyd's k-means with k-means++ seeding, best of n_init runs: (labels, within-cluster sum of squares)."""
    rng = np.random.default_rng(seed)
    n = Y.shape[0]
    best_labels, best_inertia = None, np.inf
    for _ in range(n_init):
        centers = [Y[rng.integers(n)]]
        for _ in range(1, k):  # k-means++: next center drawn with probability proportional to squared distance
            d2 = np.min(((Y[:, None, :] - np.array(centers)[None]) ** 2).sum(-1), axis=1)
            total = d2.sum()
            centers.append(Y[rng.choice(n, p=d2 / total)] if total > 0 else Y[rng.integers(n)])
        labels = _lloyd(Y, centers, max_iter)
        centers = np.array([Y[labels == c].mean(axis=0) if np.any(labels == c) else Y[0] for c in range(k)])
        inertia = float(((Y - centers[labels]) ** 2).sum())
        if inertia < best_inertia - 1e-12:
            best_labels, best_inertia = labels.copy(), inertia
    return best_labels, best_inertia


# --8<-- [start:spectral_clustering]
def spectral_clustering(W, k: int, n_init: int = 10, seed: int = 0) -> np.ndarray:
    """Normalized spectral clustering (Ng, Jordan and Weiss, 2001).

    W: (n, n) symmetric non-negative affinities; every point needs
    at least one edge. Embeds the points with spectral_embedding,
    then runs k-means (k-means++ seeding, best of n_init runs,
    seeded by seed) on the rows. Returns (n,) labels in 0..k-1.
    """
    if isinstance(n_init, bool) or not isinstance(n_init, numbers.Integral) or n_init < 1:
        raise ValueError(f"n_init must be a positive integer, got {n_init!r}")
    _, Y = spectral_embedding(W, k)
    labels, _ = _kmeans(Y, k, n_init=int(n_init), seed=seed)
    return labels
# --8<-- [end:spectral_clustering]
