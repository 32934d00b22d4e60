"""k-nearest-neighbour regression's leave-one-out error for every k at once: choosing a non-parametric model's
smoothing parameter without refitting.

Backs the page `docs/foundations/parametric-vs-nonparametric.md` and its notebook
`docs/foundations/notebooks/parametric_vs_knn.py`. NumPy only, so a downloaded notebook can inline this file.
"""

from __future__ import annotations

import numpy as np


# --8<-- [start:knn_loo_mse]
def knn_loo_mse(X, y, k_max: int, rows=None) -> np.ndarray:
    """Leave-one-out mean squared error of k-NN regression, for k = 1..k_max.

    k-NN regression predicts the mean target of the k training points
    nearest (Euclidean) to the query. It has no fitting step: without
    point i the model is the stored data minus i, so its prediction at
    x_i is the mean of y over i's k nearest *other* points. (Other
    points' predictions change too, but leave-one-out never uses them.)
    One neighbour search therefore replaces n refits, and a running
    mean over the sorted neighbours gives every k at once.
    rows: indices of the points whose leave-one-out errors are averaged
        (default: all n); a random subset makes the search cheaper.
    Returns an array whose entry k-1 is the error for k neighbours.
    Ties in distance are broken by training-row order, except that
    which of several points tied at the k_max-th distance get in
    is arbitrary (partial selection, O(n) per row, not a full sort).
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"need X of shape (n, d) and y of shape (n,), got {X.shape} and {y.shape}")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
        raise ValueError("X and y must be finite")
    n = X.shape[0]
    if isinstance(k_max, bool) or not isinstance(k_max, (int, np.integer)) or not 1 <= k_max <= n - 1:
        raise ValueError(f"k_max must be an integer from 1 to n - 1 = {n - 1}, got {k_max!r}")
    rows = np.arange(n) if rows is None else np.asarray(rows)
    if rows.ndim != 1 or rows.size == 0 or not np.issubdtype(rows.dtype, np.integer) \
            or rows.min() < 0 or rows.max() >= n:
        raise ValueError("rows must be a non-empty 1-D array of indices into X")

    d2 = np.zeros((rows.size, n))                                # squared distances, (m, n)
    for j in range(X.shape[1]):
        d2 += (X[rows, j, None] - X[None, :, j]) ** 2
    d2[np.arange(rows.size), rows] = np.inf                      # a point is not its own neighbour
    near = np.argpartition(d2, k_max - 1, axis=1)[:, :k_max]     # the k_max closest, unordered
    near.sort(axis=1)                                            # in row order, so that a stable sort
    dist = np.take_along_axis(d2, near, axis=1)                  # by distance breaks ties by row
    nearest = np.take_along_axis(near, np.argsort(dist, axis=1, kind="stable"), axis=1)
    running_mean = np.cumsum(y[nearest], axis=1) / np.arange(1, k_max + 1)
    return np.mean((running_mean - y[rows, None]) ** 2, axis=0)
# --8<-- [end:knn_loo_mse]
