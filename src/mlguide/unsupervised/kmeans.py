"""k-means clustering: k-means++ seeding and Lloyd's iterations, written out in NumPy.

Backs the page `docs/unsupervised/k-means.md` and the notebook `docs/unsupervised/notebooks/kmeans_lloyd_and_k.py`.
NumPy only, so a downloaded notebook can inline this file.
"""

from __future__ import annotations

import numpy as np


def check_data(X) -> np.ndarray:
    """Return X as a 2-D float array of shape (n, d) with n >= 1 and finite entries, or raise ValueError."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(f"expected a 2-D array of shape (n_samples, n_features), got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X contains NaN or infinite values")
    return X


def check_k(k, n: int) -> int:
    """Return k as an int in 1..n, or raise ValueError."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise ValueError(f"k must be an integer, got {k!r}")
    if not 1 <= k <= n:
        raise ValueError(f"k must be between 1 and the number of points n = {n}, got k = {k}")
    return int(k)


def squared_distances(X: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """(n, k) matrix of squared Euclidean distances ||x_i - mu_j||^2, one centre at a time.

    Differences are squared directly rather than via ||x||^2 - 2 x.mu + ||mu||^2, which can cancel badly.
    """
    return np.stack([((X - mu) ** 2).sum(axis=1) for mu in centers], axis=1)


def inertia(X, centers) -> float:
    """Phi(centers) = sum_i min_j ||x_i - mu_j||^2: the k-means cost with every point at its nearest centre."""
    X = check_data(X)
    centers = np.asarray(centers, dtype=float)
    if centers.ndim != 2 or centers.shape[1] != X.shape[1] or len(centers) < 1:
        raise ValueError(f"centers must have shape (k, {X.shape[1]}), got {centers.shape}")
    return float(squared_distances(X, centers).min(axis=1).sum())


# --8<-- [start:kmeans_plus_plus]
def kmeans_plus_plus(X, k: int, seed=0) -> np.ndarray:
    """k-means++ seeding (Arthur and Vassilvitskii, 2007): k rows of X as initial centres.

    The first centre is a uniformly random point. Each next one is
    point i with probability D(x_i)^2 / sum_j D(x_j)^2, where D(x) is
    the distance from x to the nearest centre chosen so far: far
    points are likely picks, points already chosen have probability 0.
    Expected cost <= 8 (ln k + 2) times the optimal k-means cost.
    seed: an int or a numpy Generator. Cost O(n k d).
    """
    X = check_data(X)
    n = X.shape[0]
    k = check_k(k, n)
    rng = np.random.default_rng(seed)
    chosen = [int(rng.integers(n))]
    d2 = ((X - X[chosen[0]]) ** 2).sum(axis=1)           # D(x_i)^2
    for _ in range(1, k):
        total = d2.sum()
        if total == 0.0:
            raise ValueError(f"X has fewer than k = {k} distinct points")
        i = int(rng.choice(n, p=d2 / total))
        chosen.append(i)
        d2 = np.minimum(d2, ((X - X[i]) ** 2).sum(axis=1))
    return X[chosen].copy()
# --8<-- [end:kmeans_plus_plus]


def relocate_empty(labels: np.ndarray, d2_own: np.ndarray, k: int) -> np.ndarray:
    """Give each empty cluster the point farthest from its own centre, taken from a cluster that keeps >= 1 point.

    As scikit-learn does. The moved point then costs 0 and its old cluster's mean only fits the rest better,
    so the cost cannot rise. A cluster stays empty only if no point lies away from its centre (duplicates).
    """
    counts = np.bincount(labels, minlength=k)
    empty = list(np.flatnonzero(counts == 0))
    if not empty:
        return labels
    labels = labels.copy()
    for i in np.argsort(-d2_own, kind="stable"):
        if not empty or d2_own[i] == 0.0:
            break
        if counts[labels[i]] >= 2:
            j = empty.pop(0)
            counts[labels[i]] -= 1
            labels[i], counts[j] = j, 1
    return labels


# --8<-- [start:lloyd]
def lloyd(X, centers, max_iter: int = 300):
    """Lloyd's algorithm: alternate the two steps of block coordinate
    descent on the cost J = sum_i ||x_i - mu_{c_i}||^2 from the given centres.

    Assignment: c_i = the index of the nearest centre (best labels for
    fixed centres). Update: mu_j = the mean of the points labelled j
    (best centres for fixed labels). Neither step can raise J. Stops
    when no label changes (a fixed point: a local, not necessarily
    global, minimum) or after max_iter updates. Each iteration costs
    O(n k d). An empty cluster gets the point farthest from its centre.

    Returns (centers, labels, history): history[t] is the cost of the
    centres after t updates, each point at its nearest centre;
    history[0] is that of the initial centres. It never increases.
    """
    X = check_data(X)
    mu = np.array(centers, dtype=float)
    if mu.ndim != 2 or mu.shape[1] != X.shape[1] or not np.all(np.isfinite(mu)):
        raise ValueError(f"centers must be finite, of shape (k, {X.shape[1]}), got {mu.shape}")
    k = check_k(mu.shape[0], X.shape[0])
    if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or max_iter < 1:
        raise ValueError(f"max_iter must be a positive integer, got {max_iter!r}")

    d2 = squared_distances(X, mu)
    labels = d2.argmin(axis=1)                              # assignment step
    history = [float(d2.min(axis=1).sum())]
    for _ in range(max_iter):
        own = d2[np.arange(len(X)), labels]
        labels = relocate_empty(labels, own, k)
        for j in range(k):                                  # update step
            members = X[labels == j]
            if len(members):
                mu[j] = members.mean(axis=0)
        d2 = squared_distances(X, mu)
        new_labels = d2.argmin(axis=1)                      # assignment step
        history.append(float(d2.min(axis=1).sum()))
        if np.array_equal(new_labels, labels):
            break                                           # fixed point
        labels = new_labels
    return mu, new_labels, np.array(history)
# --8<-- [end:lloyd]


# --8<-- [start:kmeans]
def kmeans(X, k: int, n_init: int = 10, seed=0, max_iter: int = 300):
    """k-means: n_init runs of k-means++ seeding plus Lloyd's iterations,
    keeping the run with the lowest cost (inertia).

    Restarts help because each run stops at a local minimum. seed: an int
    or a numpy Generator; the same seed gives the same result.
    Returns (centers, labels, inertia) of the best run.
    """
    if isinstance(n_init, bool) or not isinstance(n_init, (int, np.integer)) or n_init < 1:
        raise ValueError(f"n_init must be a positive integer, got {n_init!r}")
    rng = np.random.default_rng(seed)
    best = None
    for _ in range(n_init):
        centers, labels, history = lloyd(X, kmeans_plus_plus(X, k, rng), max_iter)
        if best is None or history[-1] < best[2]:
            best = (centers, labels, float(history[-1]))
    return best
# --8<-- [end:kmeans]
