"""Euclidean distances, one pair at a time and all pairs at once, and a k-nearest-neighbour classifier built on them.

Backs the page `docs/models/k-nearest-neighbors.md` and its notebook `docs/models/notebooks/knn_distance_and_k.py`.
NumPy only, so a downloaded notebook can inline this file.
"""

from __future__ import annotations

import numpy as np


def _as_matrix(X, name: str) -> np.ndarray:
    """X as a 2-D float array of finite numbers with at least one row and one column; raise ValueError otherwise."""
    try:
        X = np.asarray(X, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be numeric") from err
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array (rows are points), got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name} must contain only finite numbers")
    return X


# --8<-- [start:euclidean_distance]
def euclidean_distance(a, b) -> float:
    """Euclidean distance between two points: sqrt(sum_j (a_j - b_j)^2).

    a, b: sequences or 1-D arrays of the same length d >= 1, finite numbers.
    Works from the differences, so close points far from the origin
    keep their precision (no cancellation of large squares).
    Raises ValueError for mismatched lengths, non-1-D or empty input,
    non-numeric values, NaN or infinity.
    """
    try:
        a = np.asarray(a, dtype=float)
        b = np.asarray(b, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError("points must be numeric") from err
    if a.ndim != 1 or a.shape != b.shape or a.size == 0:
        raise ValueError(f"need two 1-D points of equal length, got {a.shape} and {b.shape}")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise ValueError("coordinates must be finite")
    diff = a - b
    return float(np.sqrt(diff @ diff))
# --8<-- [end:euclidean_distance]


def expanded_squared_distances(X, Y) -> np.ndarray:
    """||x_i||^2 - 2 x_i . y_j + ||y_j||^2 for every row x_i of X and y_j of Y, *not* clipped.

    This is the raw expansion that `pairwise_euclidean` starts from. In floating point it can come out negative for
    near-identical points far from the origin (catastrophic cancellation); the tests and the notebook use it to show
    why the clip is needed.
    """
    X, Y = _as_matrix(X, "X"), _as_matrix(Y, "Y")
    if X.shape[1] != Y.shape[1]:
        raise ValueError(f"X has {X.shape[1]} columns but Y has {Y.shape[1]}")
    return (X * X).sum(axis=1)[:, None] - 2.0 * (X @ Y.T) + (Y * Y).sum(axis=1)[None, :]


# --8<-- [start:pairwise_euclidean]
def pairwise_euclidean(X, Y=None) -> np.ndarray:
    """All Euclidean distances between the rows of X (n, d) and of Y (m, d).

    Returns an (n, m) array D with D[i, j] = ||X[i] - Y[j]||, from
    ||x||^2 - 2 x.y + ||y||^2: one matrix product, no (n, m, d)
    intermediate. Rounding can make that expansion slightly
    negative for near-identical points, so it is clipped at 0
    before the square root. Y=None means Y = X, and the diagonal
    is then set to exactly 0.
    """
    same = Y is None
    X = _as_matrix(X, "X")
    Y = X if same else _as_matrix(Y, "Y")
    if X.shape[1] != Y.shape[1]:
        raise ValueError(f"X has {X.shape[1]} columns but Y has {Y.shape[1]}")
    sq = (X * X).sum(axis=1)[:, None] - 2.0 * (X @ Y.T) + (Y * Y).sum(axis=1)[None, :]
    np.maximum(sq, 0.0, out=sq)          # cancellation can leave -1e-9 where 0 is meant
    if same:
        np.fill_diagonal(sq, 0.0)
    return np.sqrt(sq)
# --8<-- [end:pairwise_euclidean]


# --8<-- [start:knn_predict]
def knn_predict(X_train, y_train, X_query, k: int = 5, weights: str = "uniform") -> np.ndarray:
    """k-nearest-neighbour classification by (weighted) majority vote.

    For each query row: Euclidean distances to every training row,
    the k smallest found by partial selection (np.argpartition,
    O(n) rather than a full O(n log n) sort), then a vote among
    their labels. weights="uniform": one vote each;
    weights="distance": vote 1/d, and if some neighbours are at
    distance 0 only they vote. A tied vote goes to the smallest
    label, as in scikit-learn. Which of several training points
    tied at the k-th distance get in is arbitrary.
    """
    X_train, X_query = _as_matrix(X_train, "X_train"), _as_matrix(X_query, "X_query")
    y_train = np.asarray(y_train)
    if y_train.shape != (X_train.shape[0],):
        raise ValueError(f"y_train must have one label per row of X_train, got shape {y_train.shape}")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= len(X_train):
        raise ValueError(f"k must be an integer from 1 to {len(X_train)}, got {k!r}")
    if weights not in ("uniform", "distance"):
        raise ValueError(f"weights must be 'uniform' or 'distance', got {weights!r}")

    D = pairwise_euclidean(X_query, X_train)                   # (m, n)
    nearest = np.argpartition(D, k - 1, axis=1)[:, :k]         # the k closest, unordered
    classes, y_code = np.unique(y_train, return_inverse=True)  # sorted labels, codes 0..c-1
    if weights == "uniform":
        w = np.ones(nearest.shape)
    else:
        d = np.take_along_axis(D, nearest, axis=1)
        with np.errstate(divide="ignore"):
            w = 1.0 / d
        exact = np.isinf(w)
        hit = exact.any(axis=1)                                # a neighbour at distance 0
        w[hit] = exact[hit]
    votes = np.zeros((len(X_query), len(classes)))
    rows = np.arange(len(X_query))[:, None]
    np.add.at(votes, (rows, y_code[nearest]), w)
    return classes[votes.argmax(axis=1)]                       # first maximum: smallest label
# --8<-- [end:knn_predict]


class KNNClassifier:
    """Minimal fit/predict wrapper around `knn_predict`: fit stores the training set (a lazy learner), predict votes."""

    def __init__(self, k: int = 5, weights: str = "uniform"):
        self.k = k
        self.weights = weights

    def fit(self, X, y) -> "KNNClassifier":
        self.X_ = _as_matrix(X, "X")
        self.y_ = np.asarray(y)
        if self.y_.shape != (self.X_.shape[0],):
            raise ValueError(f"y must have one label per row of X, got shape {self.y_.shape}")
        return self

    def predict(self, X) -> np.ndarray:
        if not hasattr(self, "X_"):
            raise RuntimeError("call fit before predict")
        return knn_predict(self.X_, self.y_, X, k=self.k, weights=self.weights)
