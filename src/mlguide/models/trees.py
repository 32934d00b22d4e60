"""Impurity measures of a tree node and the best binary split on one feature, as CART grows a tree.

Backs the page `docs/models/decision-trees.md` and its notebook `docs/models/notebooks/tree_depth_and_splits.py`.
NumPy only, so a downloaded notebook can inline this file.
"""

from __future__ import annotations

import numpy as np


def _proportions(counts) -> np.ndarray:
    """Class counts (or weights) as proportions along the last axis; ValueError for negative or empty counts."""
    c = np.asarray(counts, dtype=float)
    if c.ndim == 0 or c.shape[-1] == 0 or not np.all(np.isfinite(c)) or np.any(c < 0):
        raise ValueError(f"counts must be a non-empty array of finite numbers >= 0, got {counts!r}")
    total = c.sum(axis=-1, keepdims=True)
    if np.any(total == 0):
        raise ValueError("a node must hold at least one example")
    return c / total


# --8<-- [start:impurities]
def gini(counts):
    """Gini impurity 1 - sum_k p_k^2 of a node with these class counts
    (one value per row if given a 2-D array): the chance that two
    examples drawn from the node with replacement differ in class.
    0 for a pure node, 1 - 1/K at most for K classes."""
    p = _proportions(counts)
    return 1.0 - np.sum(p * p, axis=-1)


def entropy(counts):
    """Entropy -sum_k p_k log2 p_k in bits (0 log 0 = 0), the scale of
    scikit-learn's criterion="entropy". 0 for a pure node, log2 K at most."""
    p = _proportions(counts)
    logs = np.log2(np.where(p > 0, p, 1.0))
    return -np.sum(p * logs, axis=-1)


def misclassification(counts):
    """Misclassification error 1 - max_k p_k: the share a node gets
    wrong by predicting its majority class."""
    return 1.0 - np.max(_proportions(counts), axis=-1)
# --8<-- [end:impurities]


_CLASS_CRITERIA = {"gini": gini, "entropy": entropy, "misclassification": misclassification}


# --8<-- [start:best_split]
def best_split(x, y, criterion="gini"):
    """The threshold s on one feature that most reduces impurity.

    The split sends x <= s left and x > s right; its impurity decrease
        I(node) - (n_L / n) I(left) - (n_R / n) I(right)
    uses I = gini, entropy or misclassification of the class labels
    y, or, for criterion="squared_error", the variance of numeric y
    (a regression tree). Candidates are the midpoints between
    consecutive distinct values of x, as in scikit-learn; only the
    order of x matters. Ties go to the smallest threshold.
    Returns (threshold, decrease), or (nan, 0.0) if x is constant.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y)
    if x.ndim != 1 or y.shape != x.shape or x.size == 0:
        raise ValueError(f"need 1-D x and y of equal, non-zero length, got {x.shape} and {y.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("x must be finite")
    order = np.argsort(x, kind="stable")
    xs, ys, n = x[order], y[order], x.size
    n_left = np.arange(1, n)                           # split after position i: i + 1 examples on the left
    valid = xs[1:] > xs[:-1]                           # only between distinct values
    if not valid.any():
        return float("nan"), 0.0

    if criterion == "squared_error":
        v = ys.astype(float) - ys.astype(float).mean()  # centre first for accuracy
        s1, s2 = np.cumsum(v)[:-1], np.cumsum(v * v)[:-1]
        sse_left = s2 - s1**2 / n_left
        sse_right = (s2[-1] + v[-1] ** 2 - s2) - (-s1) ** 2 / (n - n_left)
        parent = np.sum(v * v) / n
        children = (sse_left + sse_right) / n
    elif criterion in _CLASS_CRITERIA:
        impurity = _CLASS_CRITERIA[criterion]
        _, labels = np.unique(ys, return_inverse=True)
        onehot = np.eye(labels.max() + 1)[labels]
        left = np.cumsum(onehot, axis=0)[:-1]           # class counts left of each cut
        right = left[-1] + onehot[-1] - left
        parent = impurity(left[-1] + onehot[-1])
        children = (n_left * impurity(left) + (n - n_left) * impurity(right)) / n
    else:
        raise ValueError(f"unknown criterion {criterion!r}")

    decrease = np.where(valid, parent - children, -np.inf)
    best = decrease.max()
    i = int(np.argmax(decrease >= best - 1e-12 * max(1.0, abs(best))))  # first of the (rounding-level) ties
    threshold = xs[i] / 2 + xs[i + 1] / 2
    if threshold == xs[i + 1]:                         # no float strictly between them
        threshold = xs[i]
    return float(threshold), float(max(decrease[i], 0.0))
# --8<-- [end:best_split]
