"""DBSCAN, density-based clustering with noise, written out in NumPy.

Backs the page `docs/unsupervised/clustering-algorithms.md` and the notebook
`docs/unsupervised/notebooks/clustering_shapes.py`. NumPy only, so a downloaded notebook can inline this file.
"""

from __future__ import annotations

import numpy as np


# --8<-- [start:dbscan]
def dbscan(X, eps, min_samples):
    """DBSCAN labels (0, 1, ... per cluster, -1 for noise) and the boolean mask of core points.

    A point is a core point when at least min_samples points, itself included, lie within
    distance eps of it. A cluster is grown from an unlabelled core point, taken in index order:
    it takes every point within eps of one of its core points and keeps growing through those
    that are core themselves. Non-core points it reaches are border points (one within eps of
    two clusters joins the first grown); everything never reached is noise. Distances are
    brute force, O(n^2) time and memory: fine for a few thousand points.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2 or X.shape[0] == 0 or not np.all(np.isfinite(X)):
        raise ValueError("X must be a non-empty, finite (n_samples, n_features) array")
    if not eps > 0 or int(min_samples) != min_samples or min_samples < 1:
        raise ValueError("eps must be positive and min_samples a positive integer")

    dist = np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(axis=2))
    neighbours = dist <= eps                      # each point is its own neighbour
    core = neighbours.sum(axis=1) >= min_samples
    labels = np.full(len(X), -1)
    cluster = 0
    for start in np.flatnonzero(core):
        if labels[start] != -1:
            continue                              # already inside an earlier cluster
        labels[start] = cluster
        frontier = [start]                        # core points whose neighbours are still to visit
        while frontier:
            for j in np.flatnonzero(neighbours[frontier.pop()]):
                if labels[j] == -1:
                    labels[j] = cluster
                    if core[j]:
                        frontier.append(j)
        cluster += 1
    return labels, core
# --8<-- [end:dbscan]
